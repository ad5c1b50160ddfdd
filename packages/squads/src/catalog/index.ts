/**
 * The seeds' five squads (inventory, whatsapp, traffic, lead_scraper,
 * google_ads) with their outside integrations behind ports. The default
 * adapters are simulations keeping state in KV buckets of the deployment
 * prefix (their outputs say so: `simulated: true`, `channel: "outbox"`), so
 * the embedded mode works end to end without outside accounts; environment
 * variables switch each port to its real adapter (docs/integrations.md).
 */
import type { Transport } from '@squadflow/transport';
import type { SquadDefinition } from '../define-squad.ts';
import { selectAdsPlatform, selectInventoryStore, selectWhatsAppClient } from './adapters.ts';
import type { AdsPlatform } from './common/ads-platform.ts';
import { createGoogleAdsSquad } from './google_ads/index.ts';
import { createInventorySquad, type InventoryStore } from './inventory/index.ts';
import { createLeadScraperSquad, loadSuppliers } from './lead_scraper/index.ts';
import { createTrafficSquad } from './traffic/index.ts';
import {
  createWhatsAppSquad,
  openLeadStore,
  readWhatsAppSquadEnv,
  selectAnswerer,
  type Answerer,
  type WhatsAppClient,
} from './whatsapp/index.ts';

export * from './inventory/index.ts';
export * from './whatsapp/index.ts';
export * from './traffic/index.ts';
export * from './lead_scraper/index.ts';
export * from './google_ads/index.ts';
export {
  AudienceSchema,
  CampaignSchema,
  type AdsPlatform,
  type Audience,
  type Campaign,
  type NewAudience,
  type NewCampaign,
} from './common/ads-platform.ts';
export { adsBucket, AdsSeedFileSchema, KvAdsStore, openAdsStore } from './common/ads-store.ts';
export { selectAdsPlatform, selectInventoryStore, selectWhatsAppClient, type SelectedInventory } from './adapters.ts';
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
  /** Environment the adapters are chosen from (default `process.env`; docs/integrations.md). */
  env?: Env;
  /** Only these squads (default: all five): a squad process opens only the adapters its squad uses. */
  only?: readonly SeedSquadName[];
  /** A WhatsApp client to use instead of choosing from the environment (tests, another provider). */
  whatsapp?: WhatsAppClient;
  /** Who writes `answer_message`'s replies instead of choosing from the environment (`selectAnswerer`: rules, or a model when `WHATSAPP_LLM_*` is set). */
  answerer?: Answerer;
  /** An ads platform for google_ads and traffic instead of choosing from the environment. */
  ads?: AdsPlatform;
  /** An inventory store instead of choosing from the environment (the caller closes it). */
  inventory?: InventoryStore;
  /** Seed data files (default: `packages/squads/data/*.json`); `false` skips seeding a store. */
  dataFiles?: { inventory?: string | false; adsCampaigns?: string | false; suppliers?: string };
}

/** Which adapter a port got: what `squadflow start` prints and the docs (docs/integrations.md) explain. */
export interface SeedIntegration {
  port: 'inventory' | 'ads' | 'whatsapp';
  /** True for the KV simulations (inventory, ads) and the WhatsApp outbox. */
  simulated: boolean;
}

/** The seed squads and the release of what their adapters hold open. */
export interface SeedSquads {
  squads: SquadDefinition[];
  /** One entry per port the built squads use. */
  integrations: SeedIntegration[];
  /** Ends the adapters' connections (the PostgreSQL pool); the transport stays the caller's. */
  close(): Promise<void>;
}

/**
 * Opens the adapters the environment asks for (docs/integrations.md; loading
 * seed data that is not stored yet) and returns the squad definitions, in
 * {@link SEED_SQUAD_NAMES} order, ready for `startSquad({ definition, transport, prefix })`.
 */
export async function openSeedSquads(options: SeedSquadsOptions): Promise<SeedSquads> {
  const { transport, env = process.env, dataFiles = {} } = options;
  const prefix = options.prefix ?? 'sqf';
  const wanted = new Set<SeedSquadName>(options.only ?? SEED_SQUAD_NAMES);
  const needsAds = wanted.has('google_ads') || wanted.has('traffic');
  const whatsapp = wanted.has('whatsapp');
  const settings = whatsapp ? readWhatsAppSquadEnv(env) : {};
  const [inventory, ads, suppliers, client, answerer, leads] = await Promise.all([
    !wanted.has('inventory')
      ? undefined
      : options.inventory
        ? { store: options.inventory, close: async () => undefined }
        : selectInventoryStore(transport, prefix, env, dataFiles.inventory),
    needsAds ? (options.ads ?? selectAdsPlatform(transport, prefix, env, dataFiles.adsCampaigns)) : undefined,
    wanted.has('lead_scraper') ? loadSuppliers(dataFiles.suppliers) : undefined,
    whatsapp ? (options.whatsapp ?? selectWhatsAppClient(transport, prefix, env)) : undefined,
    whatsapp ? (options.answerer ?? selectAnswerer(transport, prefix, env)) : undefined,
    whatsapp ? openLeadStore(transport, prefix) : undefined,
  ]);
  const squads: SquadDefinition[] = [];
  if (inventory) squads.push(createInventorySquad({ store: inventory.store }));
  if (client && answerer && leads) squads.push(createWhatsAppSquad({ client, answerer, leads, ...settings }));
  if (ads && wanted.has('traffic')) squads.push(createTrafficSquad({ ads }));
  if (suppliers) squads.push(createLeadScraperSquad({ suppliers }));
  if (ads && wanted.has('google_ads')) squads.push(createGoogleAdsSquad({ ads }));
  const integrations: SeedIntegration[] = [
    ...(inventory ? [{ port: 'inventory' as const, simulated: inventory.store.simulated }] : []),
    ...(ads ? [{ port: 'ads' as const, simulated: ads.simulated }] : []),
    ...(client ? [{ port: 'whatsapp' as const, simulated: client.channel === 'outbox' }] : []),
  ];
  return { squads, integrations, close: () => inventory?.close() ?? Promise.resolve() };
}

/**
 * {@link openSeedSquads} for callers that never close: fine with the
 * default adapters and Google Ads (nothing held open); a PostgreSQL
 * inventory's idle pool does not keep the process alive, but prefer
 * `openSeedSquads` and its `close` there.
 */
export async function createSeedSquads(options: SeedSquadsOptions): Promise<SquadDefinition[]> {
  return (await openSeedSquads(options)).squads;
}
export * from './agency/index.ts';
export * from './workflows/index.ts';
