import { z } from 'zod';
import { DurationSchema } from '../../duration.ts';
import { commonStepFields } from './common.ts';

/**
 * A task for a person: completed by a signal carrying the decision (key
 * `signal`, default `human_{$execution.id}_{step}`), which later steps read as
 * `$steps.<name>` (e.g. `$steps.review.approved`). `escalations` fire in order
 * while nobody decides (after 24 h notify A, after 48 h escalate to B): each
 * one publishes a `step.escalated` lifecycle event naming the new assignee.
 * `timeout` ends the wait with the `timeout` outcome.
 */
export const HumanStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('human'),
  assignee: z.string().min(1).max(256),
  /** What the person is asked (shown by task inboxes, carried in lifecycle events). */
  title: z.string().max(500).optional(),
  signal: z.string().min(1).optional(),
  timeout: DurationSchema.optional(),
  escalations: z
    .array(z.strictObject({ after: DurationSchema, to: z.string().min(1).max(256) }))
    .max(10)
    .default([]),
  /** As for wait steps: a decision sent shortly before the task began still completes it (default 60 s). */
  lookback: DurationSchema.optional(),
});
