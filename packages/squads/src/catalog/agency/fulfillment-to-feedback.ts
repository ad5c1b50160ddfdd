import { z } from 'zod';
import { compactDate, daysBetween, handoffOutputSchema, type FieldProblem, type Handoff } from './common.ts';

const text = z.string().trim().min(1);

export const DeliverableStatusSchema = z.object({
  name: text,
  status: z.enum(['completed', 'in_progress', 'pending', 'cancelled']),
  completed_date: z.iso.datetime({ offset: true }).optional(),
  client_approved: z.boolean().default(false),
});

/** A finished project, as fulfillment hands it to feedback collection (seed 001, workflow 4). */
export const FulfillmentToFeedbackInputSchema = z.object({
  project_id: text,
  work_order_id: text,
  project_name: text,
  client_info: z.object({
    company_name: text,
    primary_contact: z.object({ name: z.string().optional(), email: z.email().optional(), phone: z.string().optional() }).default({}),
  }),
  deliverables_status: z.array(DeliverableStatusSchema).min(1),
  start_date: z.iso.datetime({ offset: true }),
  completion_date: z.iso.datetime({ offset: true }),
  contract_value: z.number().min(0),
});
export type FulfillmentToFeedbackInput = z.output<typeof FulfillmentToFeedbackInputSchema>;

/** Question ids match the answer keys feedback_to_offer reads (`responses[].liked_most`, ...). */
export const FeedbackQuestionSchema = z.object({ id: z.string(), question: z.string(), type: z.enum(['text', 'yes_no']) });

/** Rating categories, scored 1–5; feedback_to_offer reads `ratings.<category>`. */
export const RATING_CATEGORIES = ['overall_satisfaction', 'communication', 'timeliness', 'quality', 'value_for_money'] as const;

export const FeedbackRequestSchema = z.object({
  request_id: z.string(),
  project_id: z.string(),
  work_order_id: z.string(),
  project_name: z.string(),
  recipient: z.object({ company_name: z.string(), name: z.string().optional(), email: z.string().optional() }),
  feedback_questions: z.array(FeedbackQuestionSchema).min(1),
  rating_categories: z.array(z.enum(RATING_CATEGORIES)),
  rating_scale: z.object({ min: z.literal(1), max: z.literal(5) }),
  collection_methods: z.array(z.string()).min(1),
  project_summary: z.object({
    duration_days: z.number(),
    deliverables_completed: z.number().int(),
    deliverables_approved: z.number().int(),
    contract_value: z.number(),
  }),
});
export type FeedbackRequest = z.output<typeof FeedbackRequestSchema>;

export const FulfillmentToFeedbackDataSchema = z.object({ feedback_request: FeedbackRequestSchema });
export const FulfillmentToFeedbackOutputSchema = handoffOutputSchema(FulfillmentToFeedbackDataSchema, 'feedback_collection');
export type FulfillmentToFeedbackOutput = z.output<typeof FulfillmentToFeedbackOutputSchema>;

/** Above this contract value a person calls as well: a large client's feedback is worth the time. */
const FOLLOW_UP_CALL_VALUE = 25_000;

function questions(input: FulfillmentToFeedbackInput): z.output<typeof FeedbackQuestionSchema>[] {
  const list: z.output<typeof FeedbackQuestionSchema>[] = [
    { id: 'liked_most', question: `What did you like most about working with us on ${input.project_name}?`, type: 'text' },
    { id: 'could_improve', question: 'What could we have done better?', type: 'text' },
    { id: 'would_recommend', question: 'Would you recommend us to a colleague?', type: 'yes_no' },
    { id: 'future_services_interest', question: 'Which services would help you next?', type: 'text' },
  ];
  // Deliverables the client did not approve deserve their own question.
  input.deliverables_status
    .filter((d) => !d.client_approved)
    .forEach((d, i) =>
      list.push({ id: `unapproved_${i + 1}`, question: `What would it take for you to approve "${d.name}"?`, type: 'text' }),
    );
  return list;
}

export function toFeedbackRequest(input: FulfillmentToFeedbackInput): { feedback_request: FeedbackRequest } {
  const contact = input.client_info.primary_contact;
  return {
    feedback_request: {
      request_id: `FR_${input.project_id}_${compactDate(input.completion_date)}`,
      project_id: input.project_id,
      work_order_id: input.work_order_id,
      project_name: input.project_name,
      recipient: {
        company_name: input.client_info.company_name,
        ...(contact.name ? { name: contact.name } : {}),
        ...(contact.email ? { email: contact.email } : {}),
      },
      feedback_questions: questions(input),
      rating_categories: [...RATING_CATEGORIES],
      rating_scale: { min: 1, max: 5 },
      collection_methods: input.contract_value >= FOLLOW_UP_CALL_VALUE ? ['email_survey', 'follow_up_call'] : ['email_survey'],
      project_summary: {
        duration_days: daysBetween(input.start_date, input.completion_date),
        deliverables_completed: input.deliverables_status.filter((d) => d.status === 'completed').length,
        deliverables_approved: input.deliverables_status.filter((d) => d.client_approved).length,
        contract_value: input.contract_value,
      },
    },
  };
}

function rules(input: FulfillmentToFeedbackInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // Feedback is asked for finished work only; cancelled deliverables are finished too.
  input.deliverables_status.forEach((d, i) => {
    if (d.status === 'in_progress' || d.status === 'pending') {
      problems.push({ path: `deliverables_status.${i}.status`, message: `"${d.name}" is ${d.status}: the project is not finished` });
    }
  });
  if (Date.parse(input.completion_date) < Date.parse(input.start_date)) {
    problems.push({ path: 'completion_date', message: `before start_date (${input.start_date})` });
  }
  return problems;
}

/** Fulfillment → Feedback: prepares feedback collection for a completed project. */
export const fulfillmentToFeedback: Handoff<FulfillmentToFeedbackInput, z.output<typeof FulfillmentToFeedbackDataSchema>> = {
  name: 'fulfillment_to_feedback',
  description: 'Prepares feedback collection for a completed project',
  sourceDomain: 'fulfillment',
  targetDomain: 'feedback',
  nextStep: 'feedback_collection',
  input: FulfillmentToFeedbackInputSchema,
  data: FulfillmentToFeedbackDataSchema,
  rules,
  transform: toFeedbackRequest,
};
