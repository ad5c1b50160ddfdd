import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema, JsonObjectSchema } from './common.ts';

/**
 * Starts an execution. Published on `subjects.trigger(workflow)` by the engine
 * API or by any service. `executionId` is optional for outside publishers: the
 * engine derives it from `idempotencyKey` (same key, same execution, for as
 * long as the execution is stored) or makes a fresh one.
 */
export const TriggerMessageSchema = z.strictObject({
  kind: z.literal('trigger'),
  workflow: NameSchema,
  /** Pins a definition version; defaults to the latest. */
  version: z.number().int().positive().optional(),
  executionId: ExecutionIdSchema.optional(),
  idempotencyKey: z.string().min(1).max(256).optional(),
  context: JsonObjectSchema.default({}),
  requestedAt: EpochMsSchema.optional(),
  /**
   * Set when a `workflow` step starts this execution as its child: the parent
   * is told (a reply on its inbound subject) when this execution ends.
   */
  parent: z.strictObject({ executionId: ExecutionIdSchema, step: NameSchema, attempt: z.number().int().positive() }).optional(),
  /**
   * `false` creates the execution without starting it: status `pending`,
   * nothing dispatched, no timer armed, until `EngineClient.start` (default true).
   */
  start: z.boolean().optional(),
  /** Higher starts first when the workflow's concurrency limit queues executions (0–9, default 5). */
  priority: z.number().int().min(0).max(9).optional(),
});
export type TriggerMessage = z.output<typeof TriggerMessageSchema>;
export const triggerCodec = codec('trigger message', TriggerMessageSchema);
