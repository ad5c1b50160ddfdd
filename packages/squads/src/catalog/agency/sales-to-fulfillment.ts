import { z } from 'zod';
import { addDays, compactDate, handoffOutputSchema, type FieldProblem, type Handoff } from './common.ts';

const text = z.string().trim().min(1);

export const ContactSchema = z.object({ name: text, email: z.email(), phone: z.string().optional() });
export const ClientInfoSchema = z.object({ company_name: text, primary_contact: ContactSchema, tier: text });

export const DeliverableSchema = z.object({
  name: text,
  description: z.string().default(''),
  estimated_days: z.number().int().positive(),
  estimated_hours: z.number().positive(),
});

/** A closed deal, as sales hands it to fulfillment (seed 001, workflow 3). */
export const SalesToFulfillmentInputSchema = z.object({
  deal_id: text,
  status: text,
  client_info: ClientInfoSchema,
  service_package: z.object({
    type: text,
    deliverables: z.array(DeliverableSchema).min(1),
    timeline: z.object({ start_date: z.iso.date(), end_date: z.iso.date() }),
  }),
  contract_terms: z.object({ total_value: z.number().min(0), payment_schedule: z.array(z.string()).default([]) }),
  payment_status: z.enum(['pending', 'verified', 'failed']),
});
export type SalesToFulfillmentInput = z.output<typeof SalesToFulfillmentInputSchema>;

export const MilestoneSchema = z.object({ name: z.string(), deliverable: z.string(), due_date: z.string(), estimated_hours: z.number() });

export const WorkOrderSchema = z.object({
  work_order_id: z.string(),
  deal_id: z.string(),
  project_name: z.string(),
  client_info: ClientInfoSchema,
  requirements: z.object({
    service_type: z.string(),
    deliverables: z.array(DeliverableSchema.extend({ status: z.literal('not_started') })),
    milestones: z.array(MilestoneSchema),
    resource_requirements: z.object({
      total_estimated_hours: z.number(),
      total_estimated_days: z.number(),
      suggested_team_size: z.number().int().positive(),
      roles: z.array(z.string()),
    }),
  }),
  timeline: z.object({ start_date: z.string(), end_date: z.string() }),
  contract_value: z.number(),
  priority: z.enum(['high', 'medium', 'low']),
  status: z.enum(['pending_assignment', 'awaiting_payment']),
});
export type WorkOrder = z.output<typeof WorkOrderSchema>;

export const SalesToFulfillmentDataSchema = z.object({ work_order: WorkOrderSchema });
export const SalesToFulfillmentOutputSchema = handoffOutputSchema(SalesToFulfillmentDataSchema, 'project_initiation');
export type SalesToFulfillmentOutput = z.output<typeof SalesToFulfillmentOutputSchema>;

const ROLES: Record<string, string[]> = {
  web_development: ['project_manager', 'designer', 'frontend_developer', 'backend_developer'],
  marketing: ['project_manager', 'strategist', 'copywriter', 'designer'],
  consulting: ['engagement_manager', 'consultant'],
};
const HOURS_PER_PERSON_DAY = 8;

/** Enterprise clients and large contracts get the senior team first. */
export function workOrderPriority(tier: string, value: number): WorkOrder['priority'] {
  if (/enterprise/i.test(tier) || value >= 50_000) return 'high';
  if (/mid/i.test(tier) || value >= 10_000) return 'medium';
  return 'low';
}

/** One milestone per deliverable, in order, each due after the days of those before it. */
function milestones(input: SalesToFulfillmentInput): z.output<typeof MilestoneSchema>[] {
  let elapsed = 0;
  return input.service_package.deliverables.map((d) => {
    elapsed += d.estimated_days;
    return {
      name: `${d.name} complete`,
      deliverable: d.name,
      due_date: addDays(input.service_package.timeline.start_date, elapsed),
      estimated_hours: d.estimated_hours,
    };
  });
}

function humanize(type: string): string {
  return type.replaceAll('_', ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

export function toWorkOrder(input: SalesToFulfillmentInput): { work_order: WorkOrder } {
  const { deliverables, timeline, type } = input.service_package;
  const hours = deliverables.reduce((sum, d) => sum + d.estimated_hours, 0);
  const days = deliverables.reduce((sum, d) => sum + d.estimated_days, 0);
  return {
    work_order: {
      work_order_id: `WO_${input.deal_id}_${compactDate(timeline.start_date)}`,
      deal_id: input.deal_id,
      project_name: `${input.client_info.company_name} - ${humanize(type)}`,
      client_info: input.client_info,
      requirements: {
        service_type: type,
        deliverables: deliverables.map((d) => ({ ...d, status: 'not_started' as const })),
        milestones: milestones(input),
        resource_requirements: {
          total_estimated_hours: hours,
          total_estimated_days: days,
          suggested_team_size: Math.max(1, Math.ceil(hours / (days * HOURS_PER_PERSON_DAY))),
          roles: ROLES[type] ?? ['project_manager', 'specialist'],
        },
      },
      timeline,
      contract_value: input.contract_terms.total_value,
      priority: workOrderPriority(input.client_info.tier, input.contract_terms.total_value),
      // Work starts once the money is there; until then the order waits, visibly.
      status: input.payment_status === 'verified' ? 'pending_assignment' : 'awaiting_payment',
    },
  };
}

function rules(input: SalesToFulfillmentInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.status !== 'closed_won') {
    problems.push({ path: 'status', message: `only closed_won deals go to fulfillment (got "${input.status}")` });
  }
  if (input.payment_status === 'failed')
    problems.push({ path: 'payment_status', message: 'payment failed: resolve it with the client first' });
  const { start_date, end_date } = input.service_package.timeline;
  if (end_date < start_date)
    problems.push({ path: 'service_package.timeline.end_date', message: `ends (${end_date}) before it starts (${start_date})` });
  return problems;
}

/** Sales → Fulfillment: converts a closed deal into a project work order. */
export const salesToFulfillment: Handoff<SalesToFulfillmentInput, z.output<typeof SalesToFulfillmentDataSchema>> = {
  name: 'sales_to_fulfillment',
  description: 'Converts a closed deal into a project work order',
  sourceDomain: 'sales',
  targetDomain: 'fulfillment',
  nextStep: 'project_initiation',
  input: SalesToFulfillmentInputSchema,
  data: SalesToFulfillmentDataSchema,
  rules,
  transform: toWorkOrder,
};
