/**
 * Longest wait for one Google answer (token or API) when the caller gives no
 * signal: a request that hangs fails as a retryable `GOOGLE_ADS_NETWORK`
 * error instead of holding the step until its deadline.
 */
export const GOOGLE_ADS_REQUEST_TIMEOUT_MS = 30_000;
