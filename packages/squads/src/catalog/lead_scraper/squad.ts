import { z } from 'zod';
import { defineSquad, type SquadDefinition } from '../../define-squad.ts';
import { optionalText } from '../common/schemas.ts';
import { catalogAction } from '../common/action.ts';
import { scoreLead } from './scoring.ts';
import { prioritizeSuppliers, type Supplier } from './suppliers.ts';

export interface LeadScraperSquadDeps {
  suppliers: readonly Supplier[];
}

const ContactOutput = z.object({
  supplier_id: z.string(),
  name: z.string(),
  contact_name: z.string(),
  phone: z.string(),
  email: z.string(),
  lead_time_days: z.number(),
  reliability: z.number(),
  priority: z.number().int(),
  score: z.number(),
});

/** The lead_scraper squad: lead qualification and supplier contact prioritisation. Pure decisions, no compensations. */
export function createLeadScraperSquad(deps: LeadScraperSquadDeps): SquadDefinition {
  return defineSquad({
    name: 'lead_scraper',
    description: 'Lead qualification and supplier contacts',
    actions: {
      /** Scores a new lead (0–100) from its contact data and source; `qualified` gates the nurture steps. */
      qualify_new_lead: catalogAction({
        description: 'Scores a lead with explainable rules and returns qualified, score and segment (hot/warm/cold). Input: lead_data.',
        input: z.object({ name: optionalText, phone: optionalText, email: optionalText, source: optionalText }),
        output: z.object({
          qualified: z.boolean(),
          score: z.number().int(),
          segment: z.enum(['hot', 'warm', 'cold']),
          reasons: z.array(z.string()),
          phone: z.string().nullable(),
          email_domain: z.string().nullable(),
        }),
        handler: (lead) => scoreLead(lead),
      }),
      /** Ranks the suppliers to call for a product running out; `top_contact` is who to alert first. */
      prioritize_supplier_contacts: catalogAction({
        description:
          'Ranks the supplier contacts of a product (urgent stock favours short lead times). Input: { product_id, critical? or stock_level/min_threshold }.',
        input: z.object({
          product_id: z.string().min(1),
          critical: z.boolean().optional(),
          stock_level: z.number().int().nonnegative().optional(),
          min_threshold: z.number().int().nonnegative().optional(),
          limit: z.number().int().positive().max(50).default(3),
        }),
        output: z.object({
          product_id: z.string(),
          urgent: z.boolean(),
          contacts: z.array(ContactOutput),
          top_contact: ContactOutput.nullable(),
          count: z.number().int(),
        }),
        handler(input) {
          const belowThreshold =
            input.stock_level !== undefined &&
            (input.stock_level === 0 || (input.min_threshold !== undefined && input.stock_level < input.min_threshold));
          const urgent = input.critical ?? belowThreshold;
          const contacts = prioritizeSuppliers(deps.suppliers, input.product_id, urgent).slice(0, input.limit);
          return { product_id: input.product_id, urgent, contacts, top_contact: contacts[0] ?? null, count: contacts.length };
        },
      }),
    },
  });
}
