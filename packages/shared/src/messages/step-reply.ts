import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema } from './common.ts';
import type { StepErrorCode } from '../vocabulary/step-error-code.ts';

/** A `StepErrorCode` or a squad's own code: open on the wire (`step-error-code.ts` says why). */
const CodeSchema = z.string() as z.ZodType<StepErrorCode | (string & {}), string>;

export const StepErrorSchema = z.strictObject({
  message: z.string(),
  code: CodeSchema.optional(),
  /** A non-retryable error skips the remaining retries. */
  retryable: z.boolean().default(true),
  /** Retry no sooner than this (e.g. an open circuit breaker's remaining time). */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type StepError = z.output<typeof StepErrorSchema>;

/** A squad's answer to one step command, published on `subjects.reply(executionId)`. */
export const StepReplySchema = z.strictObject({
  kind: z.literal('reply'),
  commandId: z.string().min(1),
  executionId: ExecutionIdSchema,
  step: NameSchema,
  attempt: z.number().int().positive(),
  compensation: z.boolean().default(false),
  ok: z.boolean(),
  output: z.unknown().optional(),
  error: StepErrorSchema.optional(),
  startedAt: EpochMsSchema.optional(),
  finishedAt: EpochMsSchema.optional(),
});
export type StepReply = z.output<typeof StepReplySchema>;
export const stepReplyCodec = codec('step reply', StepReplySchema);
