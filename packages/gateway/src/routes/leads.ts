/** Seed 004's leads: `GET /v1/leads` (paged, by status) and `GET /v1/leads/{phone}` with the status history. */
import { LeadRecordSchema, LeadStatusSchema } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../http/errors.ts';
import { defineRoute } from '../http/route.ts';
import { LeadDirectory } from '../lead-directory.ts';

const ListQuery = z.object({
  status: z
    .string()
    .describe('one status or several, comma-separated: activated,conversing')
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(LeadStatusSchema).min(1))
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('leads per page (default 50)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_=-]{1,64}$/, 'expected the nextCursor of a previous page')
    .optional(),
});

/** A phone number as people write it: `+55 11 98765-4321`, `5511987654321`; 8 to 15 digits. */
const PhoneParams = z.object({
  phone: z
    .string()
    .max(32)
    .regex(/^\+?[0-9 ().-]+$/, 'expected a phone number: digits, optionally with +, spaces, dots, dashes or parentheses')
    .refine((p) => /^\d{8,15}$/.test(p.replace(/\D/g, '')), 'expected 8 to 15 digits'),
});

const LeadPageSchema = z.object({
  leads: z.array(LeadRecordSchema),
  nextCursor: z.string().optional().describe('pass as `cursor` for the next page; absent on the last'),
});

export function registerLeadRoutes({ transport, names, routes }: GatewayDeps): void {
  const leads = new LeadDirectory(transport, names.buckets.leads);

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/leads',
      operationId: 'listLeads',
      summary: "Seed 004's leads (saved by lead_activation, updated by lead_conversation), by phone, optionally of some statuses",
      tags: ['leads'],
      access: 'read',
      query: ListQuery,
      responses: { 200: { description: 'a page of leads', schema: LeadPageSchema } },
      handler: async ({ query }) =>
        leads.page({
          limit: query.limit ?? 50,
          ...(query.status ? { status: query.status } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        }),
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/leads/:phone',
      operationId: 'getLead',
      summary: 'One lead: its status and every status change (time, execution, step)',
      tags: ['leads'],
      access: 'read',
      params: PhoneParams,
      responses: { 200: { description: 'the lead', schema: LeadRecordSchema } },
      handler: async ({ params }) => {
        const lead = await leads.get(params.phone);
        if (!lead) throw new HttpError(404, 'NOT_FOUND', `no lead with phone ${params.phone}`);
        return lead;
      },
    }),
  );
}
