import { GoogleAdsTransientError, toGoogleAdsError, type GoogleErrorBody } from './errors.ts';
import { readJson } from './read-json.ts';
import { GOOGLE_ADS_REQUEST_TIMEOUT_MS } from './request-timeout.ts';

/** Refresh this long before Google's `expires_in` runs out, so a request never leaves with a token about to expire. */
const EXPIRY_MARGIN_MS = 60_000;

export interface RefreshTokenGrant {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * An OAuth 2.0 access token from a refresh token (`grant_type=refresh_token`
 * at oauth2.googleapis.com/token). Fetched on first use and reused until a
 * minute before it expires; concurrent callers share one refresh.
 */
export class OAuthAccessToken {
  private current: { value: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;

  constructor(
    private readonly grant: RefreshTokenGrant,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token: the cached one, or a fresh one. */
  get(signal?: AbortSignal): Promise<string> {
    if (this.current && this.current.expiresAt > this.now()) return Promise.resolve(this.current.value);
    this.refreshing ??= this.refresh(signal).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Forgets the cached token (Google answered 401 to it: revoked or expired early). */
  invalidate(): void {
    this.current = undefined;
  }

  private async refresh(signal?: AbortSignal): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.grant.clientId,
      client_secret: this.grant.clientSecret,
      refresh_token: this.grant.refreshToken,
    });
    let response: Response;
    try {
      response = await fetch(this.grant.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: signal ?? AbortSignal.timeout(GOOGLE_ADS_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new GoogleAdsTransientError(`Google OAuth unreachable: ${(err as Error).message}`, 'GOOGLE_ADS_NETWORK', undefined, {
        cause: err,
      });
    }
    const answer = await readJson<GoogleErrorBody & { access_token?: unknown; expires_in?: unknown }>(response);
    if (!response.ok) throw toGoogleAdsError('Google OAuth token endpoint', response.status, answer);
    const token = answer?.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new GoogleAdsTransientError('Google OAuth answered without access_token', 'GOOGLE_ADS_UNAVAILABLE', response.status);
    }
    const expiresInS = typeof answer?.expires_in === 'number' ? answer.expires_in : 3599;
    this.current = { value: token, expiresAt: this.now() + expiresInS * 1000 - EXPIRY_MARGIN_MS };
    return token;
  }
}
