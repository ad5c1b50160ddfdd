export { createGoogleAdsSquad, type GoogleAdsSquadDeps } from './squad.ts';
