import type { IncomingHttpHeaders } from 'node:http';
import { startJsonStandIn, type JsonStandIn } from './json-stand-in.ts';

export interface AdsRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** JSON body, or the form fields of a token request. */
  body: Record<string, unknown>;
}

/** The credentials the stand-in accepts; the adapter under test must send exactly these. */
export const CREDENTIALS = {
  GOOGLE_ADS_DEVELOPER_TOKEN: 'dev-token-secret',
  GOOGLE_ADS_CLIENT_ID: 'client-id.apps.googleusercontent.com',
  GOOGLE_ADS_CLIENT_SECRET: 'client-secret-value',
  GOOGLE_ADS_REFRESH_TOKEN: '1//refresh-token-secret',
  GOOGLE_ADS_CUSTOMER_ID: '123-456-7890',
  GOOGLE_ADS_LOGIN_CUSTOMER_ID: '9876543210',
} as const;
export const CUSTOMER = '1234567890';

/** Google's error envelope (REST form of a GoogleAdsFailure). */
export function adsError(code: number, status: string, errorCode: Record<string, string>, message: string): unknown {
  return {
    error: {
      code,
      message: 'Request contains an invalid argument.',
      status,
      details: [
        {
          '@type': 'type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure',
          errors: [{ errorCode, message }],
          requestId: 'r1',
        },
      ],
    },
  };
}

/**
 * A local stand-in for Google's OAuth token endpoint and the Google Ads REST
 * API (127.0.0.1, random port). It CHECKS what it gets, the way Google does:
 * a token request needs the refresh-token grant with our client; an API
 * request needs the access token it issued last, the developer token and the
 * login customer id, else it answers 401/403 like Google. It records every
 * request and answers mutations with resource names.
 */
export class GoogleAdsStub {
  readonly requests: AdsRequest[] = [];
  /** Rows `googleAds:search` answers, by the query (default: none found). */
  searchRows: (query: string) => unknown[] = () => [];
  private readonly forced: Array<{ status: number; body: unknown }> = [];
  private server: JsonStandIn | undefined;
  private issued = 0;
  private counter = 0;
  /** Seconds the issued tokens live. */
  expiresIn = 3599;
  url = '';

  get tokenRequests(): AdsRequest[] {
    return this.requests.filter((r) => r.path === '/token');
  }

  get apiRequests(): AdsRequest[] {
    return this.requests.filter((r) => r.path !== '/token');
  }

  /** The API paths requested, without the version and customer (`userLists:mutate`). */
  get calls(): string[] {
    return this.apiRequests.map((r) => r.path.replace(`/v26/customers/${CUSTOMER}/`, ''));
  }

  /** The next API request (not token requests) gets this answer, after the header checks. */
  failNext(status: number, body: unknown): void {
    this.forced.push({ status, body });
  }

  /** The environment that points the adapter at this stand-in. */
  env(): Record<string, string> {
    return {
      ...CREDENTIALS,
      GOOGLE_ADS_API_BASE_URL: this.url,
      GOOGLE_ADS_API_VERSION: 'v26',
      GOOGLE_ADS_OAUTH_TOKEN_URL: `${this.url}/token`,
    };
  }

  async start(): Promise<this> {
    this.server = await startJsonStandIn(({ path, headers, raw }) => {
      const body =
        path === '/token' ? Object.fromEntries(new URLSearchParams(raw)) : raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      this.requests.push({ path, headers, body });
      const [status, answer] = path === '/token' ? this.token(headers, body) : this.api(path, headers, body);
      return { status, body: answer };
    });
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private token(headers: IncomingHttpHeaders, body: Record<string, unknown>): [number, unknown] {
    const good =
      headers['content-type'] === 'application/x-www-form-urlencoded' &&
      body['grant_type'] === 'refresh_token' &&
      body['client_id'] === CREDENTIALS.GOOGLE_ADS_CLIENT_ID &&
      body['client_secret'] === CREDENTIALS.GOOGLE_ADS_CLIENT_SECRET &&
      body['refresh_token'] === CREDENTIALS.GOOGLE_ADS_REFRESH_TOKEN;
    if (!good) return [400, { error: 'invalid_grant', error_description: 'Bad Request' }];
    this.issued++;
    return [
      200,
      {
        access_token: `ya29.token-${this.issued}`,
        expires_in: this.expiresIn,
        token_type: 'Bearer',
        scope: 'https://www.googleapis.com/auth/adwords',
      },
    ];
  }

  private api(path: string, headers: IncomingHttpHeaders, body: Record<string, unknown>): [number, unknown] {
    if (headers['authorization'] !== `Bearer ya29.token-${this.issued}` || this.issued === 0) {
      return [401, { error: { code: 401, message: 'Request is missing required authentication credential.', status: 'UNAUTHENTICATED' } }];
    }
    if (headers['developer-token'] !== CREDENTIALS.GOOGLE_ADS_DEVELOPER_TOKEN) {
      return [403, adsError(403, 'PERMISSION_DENIED', { authorizationError: 'DEVELOPER_TOKEN_NOT_APPROVED' }, 'bad developer token')];
    }
    if (headers['login-customer-id'] !== CREDENTIALS.GOOGLE_ADS_LOGIN_CUSTOMER_ID || headers['content-type'] !== 'application/json') {
      return [400, adsError(400, 'INVALID_ARGUMENT', { requestError: 'INVALID_INPUT' }, 'bad login-customer-id or content type')];
    }
    const forced = this.forced.shift();
    if (forced) return [forced.status, forced.body];
    const prefix = `/v26/customers/${CUSTOMER}/`;
    if (!path.startsWith(prefix)) return [404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }];
    const rest = path.slice(prefix.length);
    if (rest === 'googleAds:search') return [200, { results: this.searchRows(String(body['query'])), fieldMask: 'resourceName' }];
    if (rest === 'offlineUserDataJobs:create')
      return [200, { resourceName: `customers/${CUSTOMER}/offlineUserDataJobs/${++this.counter}` }];
    if (/^offlineUserDataJobs\/\d+:addOperations$/.test(rest)) return [200, {}];
    if (/^offlineUserDataJobs\/\d+:run$/.test(rest)) return [200, { name: `customers/${CUSTOMER}/operations/${++this.counter}` }];
    const mutate = /^(\w+):mutate$/.exec(rest);
    if (mutate) {
      const ops = (body['operations'] as Array<Record<string, unknown>>) ?? [];
      const results = ops.map((op) => {
        const existing = (op['remove'] as string | undefined) ?? (op['update'] as { resourceName?: string } | undefined)?.resourceName;
        return { resourceName: existing ?? `customers/${CUSTOMER}/${mutate[1]}/${++this.counter}` };
      });
      return [200, { results }];
    }
    return [404, { error: { code: 404, message: `no route ${rest}`, status: 'NOT_FOUND' } }];
  }
}
