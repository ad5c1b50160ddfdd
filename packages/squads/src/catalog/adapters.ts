import type { Transport } from '@squadflow/transport';
import type { AdsPlatform } from './common/ads-platform.ts';
import { openAdsStore } from './common/ads-store.ts';
import { openGoogleAdsPlatform, readGoogleAdsEnv, wantsGoogleAds } from './google_ads/index.ts';
import { openInventoryStore, openPostgresInventoryStore, readInventoryEnv, type InventoryStore } from './inventory/index.ts';
import { CloudApiWhatsAppClient, openOutboxClient, wantsCloudApi, type WhatsAppClient } from './whatsapp/index.ts';

type Env = Record<string, string | undefined>;

/**
 * Each port's adapter as the environment asks for it, the way every squad
 * chooses: the real integration when its variables are set (all of them then
 * checked, a half-configured one failing startup with `INVALID_CONFIG` naming
 * the variable, rather than silently simulating), else the simulation in KV.
 * docs/integrations.md lists the variables.
 */

/** The Cloud API when `WHATSAPP_TOKEN` or `WHATSAPP_PHONE_NUMBER_ID` is set, else the KV outbox. */
export async function selectWhatsAppClient(transport: Transport, prefix: string, env: Env = process.env): Promise<WhatsAppClient> {
  return wantsCloudApi(env) ? CloudApiWhatsAppClient.fromEnv(env) : openOutboxClient(transport, prefix);
}

/**
 * Google Ads when any `GOOGLE_ADS_*` credential is set, else the KV
 * simulation seeded with `campaignsFile`'s product campaigns (with Google
 * Ads, only its entries that name a live campaign are linked).
 */
export async function selectAdsPlatform(
  transport: Transport,
  prefix: string,
  env: Env = process.env,
  campaignsFile?: string | false,
): Promise<AdsPlatform> {
  const file = campaignsFile === undefined ? {} : { dataFile: campaignsFile };
  if (wantsGoogleAds(env)) return openGoogleAdsPlatform(transport, prefix, readGoogleAdsEnv(env), file);
  return openAdsStore(transport, prefix, file);
}

/** An inventory adapter and how to release it (the PostgreSQL pool). */
export interface SelectedInventory {
  store: InventoryStore;
  close(): Promise<void>;
}

/** PostgreSQL when `INVENTORY_DATABASE_URL` is set (migrated at open), else the KV simulation seeded from `seedFile`. */
export async function selectInventoryStore(
  transport: Transport,
  prefix: string,
  env: Env = process.env,
  seedFile?: string | false,
): Promise<SelectedInventory> {
  const config = readInventoryEnv(env);
  if (config) {
    const store = await openPostgresInventoryStore(config);
    return { store, close: () => store.close() };
  }
  const store = await openInventoryStore(transport, prefix, seedFile === undefined ? {} : { dataFile: seedFile });
  return { store, close: async () => undefined };
}
