import { z } from 'zod';
import { codec } from './codec.ts';
import { EpochMsSchema } from './common.ts';

/**
 * Resumes whatever waits on a correlation key (a wait step, or an escalated
 * execution: key `escalation_<executionId>`, data `{ "action": "retry" | "skip" | "abort" }`).
 */
export const SignalMessageSchema = z.strictObject({
  kind: z.literal('signal'),
  /** Our id for this signal (dedup): a redelivered signal is applied once. */
  signalId: z.string().min(1).max(256),
  key: z.string().min(1).max(512),
  data: z.unknown().optional(),
  sentAt: EpochMsSchema.optional(),
});
export type SignalMessage = z.output<typeof SignalMessageSchema>;
export const signalCodec = codec('signal', SignalMessageSchema);
