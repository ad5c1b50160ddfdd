import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';

/** Google Ads REST host; requests go to `<base>/<version>/customers/<id>/...`. */
export const DEFAULT_GOOGLE_ADS_API_BASE_URL = 'https://googleads.googleapis.com';
/** The API version the request bodies were written against (v26 was the latest active one on 2026-12-07). */
export const DEFAULT_GOOGLE_ADS_API_VERSION = 'v26';
/** Google's OAuth 2.0 token endpoint: a refresh token is exchanged there for an access token. */
export const DEFAULT_GOOGLE_OAUTH_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const required = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : 'must be a string') };
/** `123-456-7890` and `1234567890` both name one account; the API wants the digits. */
const CustomerId = z
  .string(required)
  .transform((v) => v.replaceAll('-', ''))
  .pipe(z.string().regex(/^\d{10}$/, 'must be a 10-digit Google Ads customer id (dashes allowed)'));
const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * Google Ads settings from the environment (docs/integrations.md):
 *
 * | variable | meaning |
 * |---|---|
 * | GOOGLE_ADS_DEVELOPER_TOKEN | the `developer-token` header (API Center of the manager account) |
 * | GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET | the OAuth client the refresh token was issued to |
 * | GOOGLE_ADS_REFRESH_TOKEN | OAuth refresh token with the `adwords` scope |
 * | GOOGLE_ADS_CUSTOMER_ID | the advertiser account acted upon |
 * | GOOGLE_ADS_LOGIN_CUSTOMER_ID | optional: the manager account the access goes through (`login-customer-id` header) |
 * | GOOGLE_ADS_API_BASE_URL, GOOGLE_ADS_API_VERSION, GOOGLE_ADS_OAUTH_TOKEN_URL | optional endpoints (tests point them at a local server) |
 */
export const GoogleAdsEnvSchema = z.object({
  GOOGLE_ADS_DEVELOPER_TOKEN: z.string(required).min(1),
  GOOGLE_ADS_CLIENT_ID: z.string(required).min(1),
  GOOGLE_ADS_CLIENT_SECRET: z.string(required).min(1),
  GOOGLE_ADS_REFRESH_TOKEN: z.string(required).min(1),
  GOOGLE_ADS_CUSTOMER_ID: CustomerId,
  GOOGLE_ADS_LOGIN_CUSTOMER_ID: CustomerId.optional(),
  GOOGLE_ADS_API_BASE_URL: HttpUrl.optional(),
  GOOGLE_ADS_API_VERSION: z
    .string()
    .regex(/^v\d{2,3}$/, 'must be an API version like v26')
    .optional(),
  GOOGLE_ADS_OAUTH_TOKEN_URL: HttpUrl.optional(),
});

/** What the Google Ads client needs; the secrets stay in here and are never logged. */
export interface GoogleAdsConfig {
  developerToken: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  customerId: string;
  loginCustomerId?: string;
  /** `<base>/<version>`, no trailing slash. */
  apiUrl: string;
  tokenUrl: string;
}

type Env = Record<string, string | undefined>;

/** Empty variables count as unset, as everywhere else: compose files often declare `VAR=`. */
function clean(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

/** The variables whose presence means "use Google Ads": setting any of them asks for the real API. */
const TRIGGERS = ['GOOGLE_ADS_DEVELOPER_TOKEN', 'GOOGLE_ADS_REFRESH_TOKEN', 'GOOGLE_ADS_CUSTOMER_ID', 'GOOGLE_ADS_CLIENT_ID'] as const;

/** True when any Google Ads credential is set, i.e. the operator meant to use the real API. */
export function wantsGoogleAds(env: Env): boolean {
  const e = clean(env);
  return TRIGGERS.some((name) => e[name] !== undefined);
}

/**
 * Reads and validates the Google Ads settings. Throws `INVALID_CONFIG` with
 * one issue per bad variable, named by the variable (never its value).
 */
export function readGoogleAdsEnv(env: Env = process.env): GoogleAdsConfig {
  const parsed = GoogleAdsEnvSchema.safeParse(clean(env));
  if (!parsed.success) {
    throw new SquadflowError('INVALID_CONFIG', 'invalid Google Ads environment', toFieldIssues(parsed.error.issues));
  }
  const e = parsed.data;
  const base = (e.GOOGLE_ADS_API_BASE_URL ?? DEFAULT_GOOGLE_ADS_API_BASE_URL).replace(/\/+$/, '');
  return {
    developerToken: e.GOOGLE_ADS_DEVELOPER_TOKEN,
    clientId: e.GOOGLE_ADS_CLIENT_ID,
    clientSecret: e.GOOGLE_ADS_CLIENT_SECRET,
    refreshToken: e.GOOGLE_ADS_REFRESH_TOKEN,
    customerId: e.GOOGLE_ADS_CUSTOMER_ID,
    ...(e.GOOGLE_ADS_LOGIN_CUSTOMER_ID === undefined ? {} : { loginCustomerId: e.GOOGLE_ADS_LOGIN_CUSTOMER_ID }),
    apiUrl: `${base}/${e.GOOGLE_ADS_API_VERSION ?? DEFAULT_GOOGLE_ADS_API_VERSION}`,
    tokenUrl: e.GOOGLE_ADS_OAUTH_TOKEN_URL ?? DEFAULT_GOOGLE_OAUTH_TOKEN_URL,
  };
}
