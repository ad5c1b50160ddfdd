import { NonRetryableError } from '../../errors.ts';

/** A failure a later attempt may not hit (429, 5xx, network): the squad runtime reports it as retryable. */
export class GoogleAdsTransientError extends Error {
  override readonly name = 'GoogleAdsTransientError';
  constructor(
    message: string,
    readonly code: 'GOOGLE_ADS_RATE_LIMITED' | 'GOOGLE_ADS_UNAVAILABLE' | 'GOOGLE_ADS_NETWORK',
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The parts of a Google error answer we read (the REST form of `GoogleAdsFailure`, or OAuth's `{ error, error_description }`). */
export interface GoogleErrorBody {
  error?:
    | string
    | {
        message?: unknown;
        status?: unknown;
        details?: Array<{ errors?: Array<{ errorCode?: Record<string, unknown>; message?: unknown }> }>;
      };
  error_description?: unknown;
}

/**
 * Maps a failed answer to the squad's error types: 429 and 5xx are
 * retryable ({@link GoogleAdsTransientError}); every other status is a
 * `NonRetryableError` (bad request, revoked token, missing permission:
 * another attempt gets the same answer). The message carries Google's error
 * code and text, never a request header or a credential.
 */
export function toGoogleAdsError(what: string, status: number, body: GoogleErrorBody | null): Error {
  const message = `${what} answered ${status}${describe(body)}`;
  if (status === 429) return new GoogleAdsTransientError(message, 'GOOGLE_ADS_RATE_LIMITED', status);
  if (status >= 500) return new GoogleAdsTransientError(message, 'GOOGLE_ADS_UNAVAILABLE', status);
  return new NonRetryableError(message, { code: `GOOGLE_ADS_HTTP_${status}` });
}

/** `: INVALID_ARGUMENT userListError=NAME_ALREADY_USED (Name is already being used.)`, from what the body holds. */
function describe(body: GoogleErrorBody | null): string {
  const error = body?.error;
  if (typeof error === 'string') {
    // OAuth: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }
    return `: ${error}${typeof body?.error_description === 'string' ? ` (${body.error_description})` : ''}`;
  }
  if (!error) return '';
  const first = error.details?.flatMap((d) => d.errors ?? [])[0];
  const code = first?.errorCode ? Object.entries(first.errorCode).map(([k, v]) => `${k}=${String(v)}`)[0] : undefined;
  const text = typeof first?.message === 'string' ? first.message : typeof error.message === 'string' ? error.message : undefined;
  const status = typeof error.status === 'string' ? error.status : undefined;
  return `: ${[status, code].filter(Boolean).join(' ')}${text ? ` (${text})` : ''}`;
}
