import { NonRetryableError } from '../../errors.ts';
import { OAuthAccessToken } from './access-token.ts';
import type { GoogleAdsConfig } from './env.ts';
import { GoogleAdsTransientError, toGoogleAdsError, type GoogleErrorBody } from './errors.ts';
import { readJson } from './read-json.ts';
import { GOOGLE_ADS_REQUEST_TIMEOUT_MS } from './request-timeout.ts';

/** One row of a `googleAds:search` answer: the queried resources by their camelCase names. */
export type SearchRow = Record<string, { resourceName?: string } | undefined>;

/**
 * The Google Ads REST API as the adapter uses it: `POST <base>/<version>/<path>`
 * with `Authorization: Bearer <access token>`, `developer-token` and, when
 * access goes through a manager account, `login-customer-id`. A 401 drops
 * the cached access token and the request is sent once more with a fresh one.
 */
export class GoogleAdsRestClient {
  readonly customerId: string;
  private readonly token: OAuthAccessToken;

  constructor(
    private readonly config: GoogleAdsConfig,
    options: { now?: () => number } = {},
  ) {
    this.customerId = config.customerId;
    this.token = new OAuthAccessToken(config, options.now);
  }

  /** `POST customers/<id>/googleAds:search` with a GAQL query; every row of the first page (our queries ask for one row). */
  async search(query: string, signal?: AbortSignal): Promise<SearchRow[]> {
    const answer = await this.post<{ results?: SearchRow[] }>(`customers/${this.customerId}/googleAds:search`, { query }, signal);
    return answer.results ?? [];
  }

  /** `POST customers/<id>/<service>:mutate` with one operation; the resource name it returns. */
  async mutateOne(service: string, operation: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const answer = await this.post<{ results?: Array<{ resourceName?: unknown }> }>(
      `customers/${this.customerId}/${service}:mutate`,
      { operations: [operation] },
      signal,
    );
    const name = answer.results?.[0]?.resourceName;
    if (typeof name !== 'string' || name === '') {
      throw new NonRetryableError(`Google Ads ${service}:mutate answered without results[0].resourceName`, {
        code: 'GOOGLE_ADS_BAD_RESPONSE',
      });
    }
    return name;
  }

  /** `POST <version>/<path>` with a JSON body; the JSON answer, or a mapped error. */
  async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    let response = await this.send(path, body, await this.token.get(signal), signal);
    if (response.status === 401) {
      this.token.invalidate();
      response = await this.send(path, body, await this.token.get(signal), signal);
    }
    const answer = await readJson<T & GoogleErrorBody>(response);
    if (!response.ok) throw toGoogleAdsError(`Google Ads ${path.replace(/^customers\/\d+\//, '')}`, response.status, answer);
    return (answer ?? {}) as T;
  }

  private async send(path: string, body: unknown, accessToken: string, signal: AbortSignal | undefined): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${accessToken}`,
      'developer-token': this.config.developerToken,
      'content-type': 'application/json',
    };
    if (this.config.loginCustomerId) headers['login-customer-id'] = this.config.loginCustomerId;
    try {
      return await fetch(`${this.config.apiUrl}/${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: signal ?? AbortSignal.timeout(GOOGLE_ADS_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      // An abort is the step deadline: rethrow as is, the runtime reports TIMEOUT.
      if (signal?.aborted) throw err;
      throw new GoogleAdsTransientError(`Google Ads unreachable: ${(err as Error).message}`, 'GOOGLE_ADS_NETWORK', undefined, {
        cause: err,
      });
    }
  }
}
