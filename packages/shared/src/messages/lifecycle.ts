import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema } from './common.ts';

export const LifecycleTypeSchema = z.enum([
  'execution.started',
  'execution.completed',
  'execution.failed',
  'execution.compensated',
  // A step parked for a decision: data as `ExecutionEscalatedDataSchema` (escalation.ts), with the step's `target`.
  'execution.escalated',
  'execution.cancelled',
  'execution.paused',
  'execution.resumed',
  // An operator ran a failed or escalated execution again from a completed step: data `{ fromStep, steps, rewind, previousStatus }` (escalation.ts).
  'execution.rewound',
  'step.completed',
  'step.failed',
  'step.skipped',
  'step.escalated',
  // A human task began: data `{ kind: 'human', assignee, title?, key, dueAt? }` (notifiers tell the assignee).
  'step.waiting',
]);
export type LifecycleType = z.output<typeof LifecycleTypeSchema>;

/**
 * The routine per-step progress events: one per step that ends well, so the
 * bulk of what a deployment publishes (4 of the 6 events of a 4-step chain).
 * A deployment that does not need them turns them off (`stepProgressEvents:
 * false`, env `SQUADFLOW_STEP_PROGRESS_EVENTS=off`; docs/gateway.md):
 * every other type, the execution's start and end and a step's failure,
 * escalation or wait, is always published.
 */
export const STEP_PROGRESS_EVENTS: readonly LifecycleType[] = ['step.completed', 'step.skipped'];

/**
 * What squadflow tells other services, on `subjects.lifecycle(workflow, type)`.
 * `id` is deterministic, so a republished event is deduplicated by JetStream.
 */
export const LifecycleEventSchema = z.strictObject({
  id: z.string().min(1),
  type: LifecycleTypeSchema,
  executionId: ExecutionIdSchema,
  workflow: NameSchema,
  version: z.number().int().positive(),
  step: NameSchema.optional(),
  at: EpochMsSchema,
  data: z.unknown().optional(),
});
export type LifecycleEvent = z.output<typeof LifecycleEventSchema>;
export const lifecycleCodec = codec('lifecycle event', LifecycleEventSchema);
