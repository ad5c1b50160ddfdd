import { LeadStatusSchema } from '@squadflow/shared';
import { z } from 'zod';
import { NonRetryableError } from '../../errors.ts';
import { catalogAction } from '../common/action.ts';
import { normalizePhone } from '../common/phone.ts';
import { optionalText, Phone } from './send.ts';
import type { LeadStore } from './lead-store.ts';

export interface LeadDeps {
  /** Where leads are kept (`openLeadStore`); without it `record_lead_status` fails, non-retryably. */
  leads?: LeadStore;
}

/** Seed 004's lead bookkeeping: each workflow step that moves a lead records it here. */
export function leadActions(deps: LeadDeps) {
  return {
    record_lead_status: catalogAction({
      description:
        "Records a lead's status (new, qualified, template_sent, activated, conversing, reminded, opted_out, ...) in its history. " +
        'Input: { phone_number, status, name?, segment?, note? }. Idempotent per execution, step and status.',
      input: z.object({
        phone_number: Phone,
        status: LeadStatusSchema,
        name: optionalText,
        segment: optionalText,
        note: optionalText,
      }),
      output: z.object({ phone: z.string(), status: LeadStatusSchema, changes: z.number().int() }),
      async handler(input, ctx) {
        if (!deps.leads) throw new NonRetryableError('no lead store configured for the whatsapp squad', { code: 'LEADS_NOT_CONFIGURED' });
        const lead = await deps.leads.record({
          phone: normalizePhone(input.phone_number),
          status: input.status,
          executionId: ctx.executionId,
          step: ctx.step,
          ...(input.name ? { name: input.name } : {}),
          ...(input.segment ? { segment: input.segment } : {}),
          ...(input.note ? { note: input.note } : {}),
        });
        return { phone: lead.phone, status: lead.status, changes: lead.history.length };
      },
    }),
  };
}
