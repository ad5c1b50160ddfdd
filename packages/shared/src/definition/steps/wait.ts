import { z } from 'zod';
import { DurationSchema } from '../../duration.ts';
import type { FieldIssue } from '../../errors.ts';
import { compileExpression, compileTemplate } from '../../expressions.ts';
import { checkField, commonStepFields, ExpressionSchema, OnErrorSchema } from './common.ts';

/**
 * A wait step's part of the definition schema (the engine's compile/steps/wait.ts):
 * resumed by a signal (`signal`), or by the end of another execution (`execution`).
 */

export const WaitStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('wait'),
  /** Correlation key template, e.g. `ai_conversation_{phone}` (placeholders are expressions). */
  signal: z.string().min(1).optional(),
  /**
   * Instead of a signal: an expression giving the id of an existing execution
   * to wait for. The step completes (output `{ executionId, status, output?,
   * error? }`) when that execution completes, and fails (`EXECUTION_NOT_COMPLETED`,
   * the step's `onError` decides) when it ends another way or is unknown.
   */
  execution: ExpressionSchema.optional(),
  /** Only with `execution`: what happens when the watched execution did not complete, or the wait timed out. */
  onError: OnErrorSchema.optional(),
  /** Without a timeout the step waits until the signal comes or the execution is cancelled. */
  timeout: DurationSchema.optional(),
  /** A signal that arrived up to this long before the wait began still resumes it (default 60 s; 0 turns it off). */
  lookback: DurationSchema.optional(),
});

/** A wait has exactly one of `signal` and `execution`, and its template or expression parses. */
export function checkWaitStep(step: z.output<typeof WaitStepSchema>, at: string): FieldIssue[] {
  const issues = checkSignalKey(step, at);
  const execution = step.execution;
  if ((step.signal === undefined) === (execution === undefined))
    issues.push({ path: `${at}.signal`, message: `step "${step.name}": a wait needs exactly one of "signal" and "execution"` });
  if (execution !== undefined) checkField(issues, `${at}.execution`, step.name, () => compileExpression(execution));
  if (step.onError !== undefined && execution === undefined)
    issues.push({ path: `${at}.onError`, message: `step "${step.name}": "onError" needs "execution" (a signal wait does not fail)` });
  if (step.lookback !== undefined && execution !== undefined)
    issues.push({ path: `${at}.lookback`, message: `step "${step.name}": "lookback" is for signal waits` });
  return issues;
}

/** Its signal key template parses. */
export function checkSignalKey(step: { name: string; signal?: string | undefined }, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const signal = step.signal;
  if (signal !== undefined) checkField(issues, `${at}.signal`, step.name, () => compileTemplate(signal));
  return issues;
}
