import { StepErrorCode, type StepError } from '@squadflow/shared';

/**
 * Thrown by an action handler to fail the step without using its remaining
 * retries (bad data, a business rule, anything a retry cannot fix). Every
 * other error is reported as retryable.
 */
export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
  /** Optional stable code copied to the step reply (`error.code`). */
  readonly code: string | undefined;

  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

/**
 * Maps what a handler threw to the wire error. `timedOut` wins over the
 * error's own shape: once the deadline fired, whatever the handler rejected
 * with (an AbortError, a fetch failure) is a consequence of the abort.
 */
export function toStepError(err: unknown, timedOut: boolean): StepError {
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut) return { message: message || 'step deadline passed', code: StepErrorCode.TIMEOUT, retryable: true };
  const code = codeOf(err);
  const retryable = !(err instanceof NonRetryableError);
  return code === undefined ? { message, retryable } : { message, code, retryable };
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}
