import { StepErrorCode, toFieldIssues, type StepError } from '@squadflow/shared';
import type { ZodType } from 'zod';
import type { ActionContext, ActionDefinition } from './action.ts';
import type { AttemptControl } from './attempt.ts';
import { toStepError } from './errors.ts';

/** What one handler run produced, before it becomes a reply. */
export type Outcome = { ok: true; output: unknown } | { ok: false; error: StepError };

/** Validates against an optional schema; the error message names every field at fault. */
export function validate(
  schema: ZodType | undefined,
  value: unknown,
  what: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!schema) return { ok: true, value };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = toFieldIssues(result.error.issues).map((i) => `${i.path || '(root)'}: ${i.message}`);
  return { ok: false, message: `invalid ${what}: ${issues.join('; ')}` };
}

/**
 * Runs a handler once under `control`. A handler that ignores its aborted
 * signal is not waited for: the attempt is answered at once (`TIMEOUT`
 * past the deadline, `INTERRUPTED` at shutdown) and the late result is only
 * logged, so a stuck handler cannot hold a concurrency slot or a shutdown.
 * The control's timers are armed only when the handler answers with a
 * promise: one that returns (or throws) at once cannot be aborted anyway.
 */
export async function invokeAction(
  action: ActionDefinition,
  input: unknown,
  ctx: ActionContext,
  control: AttemptControl,
): Promise<Outcome> {
  try {
    const result = action.handler(input, ctx);
    if (!isThenable(result)) return checkedOutput(action, result);
    control.start();
    const run = Promise.resolve(result);
    const first = await Promise.race([run.then((output) => ({ output })), control.aborted]);
    if (typeof first === 'string') {
      run.then(
        () => ctx.logger.warn({ cause: first }, 'handler finished after its attempt was aborted; result discarded'),
        (err: unknown) => ctx.logger.debug({ err, cause: first }, 'handler failed after its attempt was aborted'),
      );
      return { ok: false, error: abortedError(control) };
    }
    return checkedOutput(action, first.output);
  } catch (err) {
    // Once aborted, the rejection (AbortError, fetch failure) is a consequence of the abort, not the handler's verdict.
    const error = control.abortCause ? abortedError(control) : toStepError(err, false);
    ctx.logger.info({ err, code: error.code, retryable: error.retryable }, 'handler failed');
    return { ok: false, error };
  }
}

function checkedOutput(action: ActionDefinition, output: unknown): Outcome {
  const checked = validate(action.output, output, 'output');
  if (!checked.ok) return { ok: false, error: { message: checked.message, code: StepErrorCode.INVALID_OUTPUT, retryable: false } };
  return { ok: true, output: checked.value };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function abortedError(control: AttemptControl): StepError {
  const reason: unknown = control.signal.reason;
  if (control.abortCause === 'shutdown') {
    const message = reason instanceof Error ? reason.message : 'the squad is shutting down';
    return { message, code: StepErrorCode.INTERRUPTED, retryable: true };
  }
  return toStepError(reason, true);
}
