import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema } from './common.ts';

export const TimerKindSchema = z.enum([
  'delay',
  'timeout',
  'backoff',
  'wait',
  'escalation',
  'compensation-timeout',
  'compensation-backoff',
]);
export type TimerKind = z.output<typeof TimerKindSchema>;

/**
 * A durable timer as stored in KV, and the event delivered to the execution
 * when it falls due. `id` is deterministic: `<execution>.<step>.<attempt>.<kind>`.
 */
export const TimerFiredSchema = z.strictObject({
  kind: z.literal('timer'),
  id: z.string().min(1),
  executionId: ExecutionIdSchema,
  step: NameSchema,
  attempt: z.number().int().nonnegative(),
  timer: TimerKindSchema,
  dueAt: EpochMsSchema,
});
export type TimerFired = z.output<typeof TimerFiredSchema>;
export const timerCodec = codec('timer', TimerFiredSchema);
