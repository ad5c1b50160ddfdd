/**
 * The seeds' five squads (inventory, whatsapp, traffic, lead_scraper,
 * google_ads) with their outside integrations behind adapters. The default
 * adapters keep real state in KV buckets of the deployment prefix, so the
 * embedded mode works end to end without outside accounts. See README.md.
 */
import type { Transport } from '@squadflow/transport';
import type { SquadDefinition } from '../define-squad.ts';
import { openAdsStore } from './common/ads-store.ts';
import { createGoogleAdsSquad } from './google_ads/index.ts';
import { createInventorySquad, openInventoryStore } from './inventory/index.ts';
import { createLeadScraperSquad, loadSuppliers } from './lead_scraper/index.ts';
import { createTrafficSquad } from './traffic/index.ts';
import {
  CloudApiWhatsAppClient,
  createWhatsAppSquad,
  openOutboxClient,
  readWhatsAppSquadEnv,
  selectAnswerer,
  openLeadStore,
  wantsCloudApi,
  type Answerer,
  type WhatsAppClient,
} from './whatsapp/index.ts';

export * from './inventory/index.ts';
export * from './whatsapp/index.ts';
export * from './traffic/index.ts';
export * from './lead_scraper/index.ts';
export * from './google_ads/index.ts';
export {
  adsBucket,
  AdsSeedFileSchema,
  AudienceSchema,
  CampaignSchema,
  KvAdsStore,
  openAdsStore,
  type AdsStore,
  type Audience,
  type Campaign,
  type NewAudience,
  type NewCampaign,
} from './common/ads-store.ts';
export { normalizePhone, tryNormalizePhone } from './common/phone.ts';
export { DATA_DIR, dataFile } from './common/data-file.ts';
export { acceptStepOutput, catalogAction, type CatalogAction } from './common/action.ts';

/** The squads the seeds name, in the order `createSeedSquads` returns them. */
export const SEED_SQUAD_NAMES = ['inventory', 'whatsapp', 'traffic', 'lead_scraper', 'google_ads'] as const;
export type SeedSquadName = (typeof SEED_SQUAD_NAMES)[number];

type Env = Record<string, string | undefined>;

export interface SeedSquadsOptions {
  transport: Transport;
  /** Deployment prefix: buckets are `<prefix>_inventory`, `<prefix>_whatsapp_outbox`, `<prefix>_ads` (default `sqf`). */
  prefix?: string;
  /** Environment to read the WhatsApp settings from (default `process.env`). */
  env?: Env;
  /** A WhatsApp client to use instead of choosing from the environment (tests, another provider). */
  whatsapp?: WhatsAppClient;
  /** Who writes `answer_message`'s replies instead of choosing from the environment (`selectAnswerer`: rules, or a model when `WHATSAPP_LLM_*` is set). */
  answerer?: Answerer;
  /** Seed data files (default: `packages/squads/data/*.json`); `false` skips seeding a store. */
  dataFiles?: { inventory?: string | false; adsCampaigns?: string | false; suppliers?: string };
}

/**
 * The WhatsApp client the environment asks for: the Cloud API when
 * `WHATSAPP_TOKEN` or `WHATSAPP_PHONE_NUMBER_ID` is set (both must then be
 * valid: a half-configured real integration fails startup rather than
 * silently writing to the outbox), else the KV outbox.
 */
export async function selectWhatsAppClient(transport: Transport, prefix: string, env: Env = process.env): Promise<WhatsAppClient> {
  return wantsCloudApi(env) ? CloudApiWhatsAppClient.fromEnv(env) : openOutboxClient(transport, prefix);
}

/**
 * Opens the adapters (loading seed data that is not in KV yet; the WhatsApp
 * client and answerer chosen from `env`) and returns
 * the five squad definitions, ready for
 * `startSquad({ definition, transport, prefix })`.
 */
export async function createSeedSquads(options: SeedSquadsOptions): Promise<SquadDefinition[]> {
  const { transport, env = process.env, dataFiles = {} } = options;
  const prefix = options.prefix ?? 'sqf';
  const settings = readWhatsAppSquadEnv(env);
  const [store, ads, suppliers, client, answerer, leads] = await Promise.all([
    openInventoryStore(transport, prefix, dataFiles.inventory === undefined ? {} : { dataFile: dataFiles.inventory }),
    openAdsStore(transport, prefix, dataFiles.adsCampaigns === undefined ? {} : { dataFile: dataFiles.adsCampaigns }),
    loadSuppliers(dataFiles.suppliers),
    options.whatsapp ?? selectWhatsAppClient(transport, prefix, env),
    options.answerer ?? selectAnswerer(transport, prefix, env),
    openLeadStore(transport, prefix),
  ]);
  return [
    createInventorySquad({ store }),
    createWhatsAppSquad({ client, answerer, leads, ...settings }),
    createTrafficSquad({ ads }),
    createLeadScraperSquad({ suppliers }),
    createGoogleAdsSquad({ ads }),
  ];
}
export * from './agency/index.ts';
export * from './workflows/index.ts';
