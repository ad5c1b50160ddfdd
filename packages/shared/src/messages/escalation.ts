import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';

/**
 * The `data` of an `execution.escalated` lifecycle event. A step that failed
 * for good carries its error's fields at the top level (`message`, `code`,
 * `retryable`: the shape this event had before it named a target), a failed
 * compensation `{ compensation: true, error }`. `target` is the step's
 * `escalationTarget`: who is asked to resolve it (notifiers tell it too).
 * Loose, so consumers keep decoding events that carry more.
 */
export const ExecutionEscalatedDataSchema = z.looseObject({
  message: z.string().optional(),
  code: z.string().optional(),
  retryable: z.boolean().optional(),
  compensation: z.boolean().optional(),
  error: z.looseObject({ message: z.string().optional(), code: z.string().optional() }).optional(),
  target: z.string().optional(),
});
export type ExecutionEscalatedData = z.output<typeof ExecutionEscalatedDataSchema>;

/**
 * The `data` of `step.escalated` (a human task nobody decided in time): the
 * new assignee `to`, the escalation `level`, and `chain`, everyone asked so
 * far in order (the first assignee, then each escalation's target).
 */
export const StepEscalatedDataSchema = z.looseObject({
  to: z.string(),
  level: z.number().int(),
  chain: z.array(z.string()).optional(),
  key: z.string().optional(),
  title: z.string().optional(),
});
export type StepEscalatedData = z.output<typeof StepEscalatedDataSchema>;

/**
 * The `data` of `execution.rewound`: an operator ran the execution again
 * from `fromStep` (retry from step). `steps` are the steps reset to run
 * again, `rewind` counts the rewinds of this execution (1 for the first),
 * `previousStatus` is what the execution was (failed or escalated).
 */
export const ExecutionRewoundDataSchema = z.looseObject({
  fromStep: NameSchema,
  steps: z.array(NameSchema),
  rewind: z.number().int().positive(),
  previousStatus: z.string(),
});
export type ExecutionRewoundData = z.output<typeof ExecutionRewoundDataSchema>;

/** The data of an `execution.escalated` event as far as it decodes (an unexpected shape reads as no fields). */
export function escalatedDataOf(data: unknown): ExecutionEscalatedData {
  const parsed = ExecutionEscalatedDataSchema.safeParse(data);
  return parsed.success ? parsed.data : {};
}
