import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema } from './common.ts';

/**
 * A long-running action's sign of life, published by the squad SDK on
 * `subjects.heartbeat(executionId)`. Each heartbeat pushes the attempt's
 * timeout out by the step's timeout again (as Temporal's activity heartbeats
 * do) and records `progress` in the step's history.
 */
export const HeartbeatMessageSchema = z.strictObject({
  kind: z.literal('heartbeat'),
  executionId: ExecutionIdSchema,
  step: NameSchema,
  attempt: z.number().int().positive(),
  compensation: z.boolean().default(false),
  progress: z.unknown().optional(),
  at: EpochMsSchema.optional(),
});
export type HeartbeatMessage = z.output<typeof HeartbeatMessageSchema>;
export const heartbeatCodec = codec('heartbeat', HeartbeatMessageSchema);
