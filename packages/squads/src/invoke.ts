import type { Clock } from '@squadflow/engine';
import { toFieldIssues, type StepError } from '@squadflow/shared';
import type { ZodType } from 'zod';
import type { ActionContext, ActionDefinition } from './action.ts';
import { RuntimeErrorCode, toStepError } from './errors.ts';

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
 * Runs a handler once with an AbortSignal that fires at `ctx.deadline`.
 * A handler that ignores the signal is not waited for past the deadline:
 * the attempt is reported as TIMEOUT and the late result is only logged,
 * so a stuck handler cannot hold a concurrency slot forever.
 */
export async function invokeAction(
  action: ActionDefinition,
  input: unknown,
  ctx: Omit<ActionContext, 'signal'>,
  clock: Clock,
): Promise<Outcome> {
  const controller = new AbortController();
  const deadlinePassed = new Promise<'timeout'>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve('timeout'), { once: true });
  });
  const timer = clock.setTimer(ctx.deadline, () =>
    controller.abort(new DOMException(`step deadline passed (${new Date(ctx.deadline).toISOString()})`, 'TimeoutError')),
  );
  const run = Promise.resolve().then(() => action.handler(input, { ...ctx, signal: controller.signal }));
  try {
    const first = await Promise.race([run.then((output) => ({ output })), deadlinePassed]);
    if (first === 'timeout') {
      run.then(
        () => ctx.logger.warn('handler finished after its deadline; result discarded'),
        (err: unknown) => ctx.logger.debug({ err }, 'handler failed after its deadline'),
      );
      return { ok: false, error: toStepError(controller.signal.reason, true) };
    }
    const checked = validate(action.output, first.output, 'output');
    if (!checked.ok) return { ok: false, error: { message: checked.message, code: RuntimeErrorCode.INVALID_OUTPUT, retryable: false } };
    return { ok: true, output: checked.value };
  } catch (err) {
    // After the deadline the rejection (AbortError, fetch failure) is a consequence of the abort.
    const timedOut = controller.signal.aborted;
    const error = timedOut ? toStepError(controller.signal.reason, true) : toStepError(err, false);
    ctx.logger.info({ err, code: error.code, retryable: error.retryable }, 'handler failed');
    return { ok: false, error };
  } finally {
    clock.clearTimer(timer);
  }
}
