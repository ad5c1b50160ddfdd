import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema } from './common.ts';

/**
 * Asks a squad to run one attempt of a step (or of its compensation).
 * `id` is deterministic (`<execution>.<step>.<attempt>` plus `.c` for a
 * compensation): it is the JetStream `Nats-Msg-Id` and the squad's
 * idempotency key, so a command published twice runs at most once.
 */
export const StepCommandSchema = z.strictObject({
  id: z.string().min(1),
  executionId: ExecutionIdSchema,
  workflow: NameSchema,
  step: NameSchema,
  attempt: z.number().int().positive(),
  squad: NameSchema,
  action: NameSchema,
  compensation: z.boolean().default(false),
  input: z.unknown(),
  /** Epoch ms after which the orchestrator no longer waits for the reply. */
  deadline: EpochMsSchema,
});
export type StepCommand = z.output<typeof StepCommandSchema>;
export const stepCommandCodec = codec('step command', StepCommandSchema);
