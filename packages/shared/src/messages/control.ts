import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { ExecutionIdSchema } from './common.ts';

/** Operator commands addressed to one execution. */
export const ControlMessageSchema = z.discriminatedUnion('action', [
  z.strictObject({
    kind: z.literal('control'),
    controlId: z.string().min(1),
    executionId: ExecutionIdSchema,
    action: z.literal('cancel'),
    reason: z.string().max(2_000).optional(),
  }),
  z.strictObject({
    kind: z.literal('control'),
    controlId: z.string().min(1),
    executionId: ExecutionIdSchema,
    /** Pause: no new step is dispatched and timers wait; in-flight steps finish. Resume: go on (overdue timers fire). */
    action: z.enum(['pause', 'resume']),
    reason: z.string().max(2_000).optional(),
  }),
  z.strictObject({
    kind: z.literal('control'),
    controlId: z.string().min(1),
    executionId: ExecutionIdSchema,
    /** Resolves an escalation: run the step again, skip it, or end the execution as failed. */
    action: z.enum(['retry', 'skip', 'abort']),
    step: NameSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('control'),
    controlId: z.string().min(1),
    executionId: ExecutionIdSchema,
    /**
     * Sent by the engine for another execution's step (docs/child-workflows.md):
     * `watch` asks to be told when this execution ends (a wait on it);
     * `compensate` asks a completed child to run its compensations, then tell.
     */
    action: z.enum(['watch', 'compensate']),
    watcher: z.strictObject({ executionId: ExecutionIdSchema, step: NameSchema, attempt: z.number().int().positive() }),
  }),
  z.strictObject({
    kind: z.literal('control'),
    controlId: z.string().min(1),
    executionId: ExecutionIdSchema,
    /**
     * Retry from a step: a failed or escalated execution runs again from
     * `fromStep` (a completed step); the steps before it keep their outputs,
     * `fromStep` and every step after it run again with new attempts.
     */
    action: z.literal('rewind'),
    fromStep: NameSchema,
  }),
  z.strictObject({
    kind: z.literal('control'),
    controlId: z.string().min(1),
    executionId: ExecutionIdSchema,
    /**
     * Sent by an orchestrator replica that applied an event of an execution
     * whose partition another replica holds (a trigger or a signal, which any
     * replica takes): the holder arms the timers the execution's record lists,
     * since only a partition's holder keeps its timers (docs/architecture.md).
     */
    action: z.literal('rearm'),
  }),
]);
export type ControlMessage = z.output<typeof ControlMessageSchema>;
export const controlCodec = codec('control message', ControlMessageSchema);
