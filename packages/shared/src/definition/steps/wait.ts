import { z } from 'zod';
import { DurationSchema } from '../../duration.ts';
import type { FieldIssue } from '../../errors.ts';
import { compileTemplate } from '../../expressions.ts';
import { checkField, commonStepFields } from './common.ts';

/** A wait step's part of the definition schema: resumed by a signal (the engine's compile/steps/wait.ts). */

export const WaitStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('wait'),
  /** Correlation key template, e.g. `ai_conversation_{phone}` (placeholders are expressions). */
  signal: z.string().min(1),
  /** Without a timeout the step waits until the signal comes or the execution is cancelled. */
  timeout: DurationSchema.optional(),
  /** A signal that arrived up to this long before the wait began still resumes it (default 60 s; 0 turns it off). */
  lookback: DurationSchema.optional(),
});

/** Its signal key template parses. */
export function checkSignalKey(step: { name: string; signal?: string | undefined }, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const signal = step.signal;
  if (signal !== undefined) checkField(issues, `${at}.signal`, step.name, () => compileTemplate(signal));
  return issues;
}
