/** Why a chat-completions call failed; the first four are worth another try. */
export type LlmErrorCode =
  'LLM_TIMEOUT' | 'LLM_RATE_LIMITED' | 'LLM_UNAVAILABLE' | 'LLM_NETWORK' | 'LLM_REJECTED' | 'LLM_BAD_RESPONSE' | 'LLM_NO_TIME_LEFT';

const RETRYABLE: ReadonlySet<LlmErrorCode> = new Set(['LLM_TIMEOUT', 'LLM_RATE_LIMITED', 'LLM_UNAVAILABLE', 'LLM_NETWORK']);

/**
 * A failed call to the model, after the client's own retries. The message
 * never holds the API key: it carries the status and the provider's error
 * message only. `retryAfterMs` is the provider's `Retry-After`, when it sent one.
 */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly retryable: boolean;

  constructor(
    readonly code: LlmErrorCode,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = RETRYABLE.has(code);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }

  /** HTTP calls made before giving up (set by the client once it stops trying). */
  get attempts(): number | undefined {
    return this.details.attempts;
  }

  /** The same error, marked with the number of calls made. */
  withAttempts(attempts: number, note = ''): LlmError {
    return new LlmError(this.code, `${this.message}${note}`, { ...this.details, attempts, cause: this });
  }
}
