import { z } from 'zod';
import { EpochMsSchema, ExecutionIdSchema, ExecutionStatusSchema, JsonObjectSchema } from '@squadflow/shared';

/**
 * What one execution's KV entry holds: its summary (queried by the API) and
 * the persisted XState snapshot, whose context carries the step history and
 * the effects of the last event (`outbox`), performed after this is written.
 * A record without a snapshot is `pending`: accepted by the API, not yet
 * started by an orchestrator.
 */
export const ExecutionRecordSchema = z.object({
  v: z.literal(1),
  executionId: ExecutionIdSchema,
  workflow: z.string(),
  version: z.number().int().positive().optional(),
  status: ExecutionStatusSchema,
  createdAt: EpochMsSchema,
  updatedAt: EpochMsSchema,
  idempotencyKey: z.string().optional(),
  /** Order among executions queued by the workflow's concurrency limit (higher first). */
  priority: z.number().int().min(0).max(9).optional(),
  /**
   * The trigger's W3C `traceparent` (docs/observability.md): the parent of
   * the execution span, kept so a step dispatched after a timer, a restart or
   * by another replica joins the same trace. Absent for an untraced trigger.
   */
  trace: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
  /** A child execution's parent: the execution and its `workflow` step (docs/child-workflows.md). */
  parent: z.object({ executionId: ExecutionIdSchema, step: z.string(), attempt: z.number().int().positive().optional() }).optional(),
  /** A pending execution created with `start: false`: it waits for `EngineClient.start`, not for a concurrency slot. */
  held: z.boolean().optional(),
  /** Who asked, while the execution was pending, to be told when it ends (handed to the execution when it starts). */
  watchers: z
    .array(
      z.object({
        executionId: ExecutionIdSchema,
        step: z.string(),
        attempt: z.number().int(),
        mode: z.enum(['child', 'compensation', 'wait']),
      }),
    )
    .optional(),
  /** The trigger context (kept for pending records and for the API). */
  context: JsonObjectSchema,
  snapshot: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z
    .object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() })
    .optional(),
});
export type ExecutionRecord = z.output<typeof ExecutionRecordSchema>;
