export { createGoogleAdsSquad, type GoogleAdsSquadDeps } from './squad.ts';
export { GoogleAdsPlatform, openGoogleAdsPlatform, type OpenGoogleAdsOptions } from './google-ads-platform.ts';
export { GoogleAdsRemote, remoteName, type RemoteCampaign } from './remote-ads.ts';
export { GoogleAdsRestClient, type SearchRow } from './rest-client.ts';
export { OAuthAccessToken, type RefreshTokenGrant } from './access-token.ts';
export { GoogleAdsTransientError } from './errors.ts';
export { hashMatchEmail, hashMatchPhone, normalizeMatchEmail, normalizeMatchPhone } from './customer-match.ts';
export {
  DEFAULT_GOOGLE_ADS_API_BASE_URL,
  DEFAULT_GOOGLE_ADS_API_VERSION,
  DEFAULT_GOOGLE_OAUTH_TOKEN_URL,
  GoogleAdsEnvSchema,
  readGoogleAdsEnv,
  wantsGoogleAds,
  type GoogleAdsConfig,
} from './env.ts';
