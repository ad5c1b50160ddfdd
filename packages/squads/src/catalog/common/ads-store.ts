import type { Clock, KvStore, Transport } from '@squadflow/transport';
import { names } from '@squadflow/shared';
import { z } from 'zod';
import { dataFile, readDataFile } from './data-file.ts';
import { CatalogRecords } from './kv-records.ts';

/** A customer list for ad targeting; members are SHA-256 hashes of normalised phone/email (Customer Match style). */
export const AudienceSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['cart_abandoners', 'leads']),
  status: z.enum(['active', 'deleted']),
  members: z.array(z.object({ phone_sha256: z.string().optional(), email_sha256: z.string().optional() })),
  product_ids: z.array(z.string()),
  segment: z.string().optional(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Audience = z.output<typeof AudienceSchema>;

export const CampaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['product', 'cart_recovery', 'lead_nurture']),
  status: z.enum(['active', 'paused', 'stopped']),
  product_ids: z.array(z.string()),
  audience_id: z.string().nullable(),
  daily_budget: z.number().nonnegative(),
  currency: z.string(),
  /** The pause operation that paused it: resuming undoes only that pause. */
  paused_by: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Campaign = z.output<typeof CampaignSchema>;

export type NewAudience = Omit<Audience, 'status' | 'created_at' | 'updated_at'>;
export type NewCampaign = Omit<Campaign, 'status' | 'paused_by' | 'created_at' | 'updated_at' | 'currency'> & { currency?: string };

/** Audiences and campaigns of the google_ads and traffic squads. Creations take the caller's (stable) id. */
export interface AdsStore {
  /** Creates the audience unless `id` exists (a deleted one is re-activated). `created` is false for an existing id. */
  createAudience(audience: NewAudience): Promise<{ audience: Audience; created: boolean }>;
  getAudience(id: string): Promise<Audience | null>;
  /** Marks the audience deleted; returns it, or null when unknown. */
  deleteAudience(id: string): Promise<Audience | null>;
  /** Launches (creates active) the campaign unless `id` exists. */
  launchCampaign(campaign: NewCampaign): Promise<{ campaign: Campaign; created: boolean }>;
  getCampaign(id: string): Promise<Campaign | null>;
  listCampaigns(filter?: { productId?: string; status?: Campaign['status'] }): Promise<Campaign[]>;
  /** Pauses the product's active campaigns on behalf of `pauseId`; returns every campaign that pause holds (also from an earlier run). */
  pauseProductCampaigns(productId: string, pauseId: string): Promise<Campaign[]>;
  /** Re-activates the given campaigns that are paused; returns those it resumed. */
  resumeCampaigns(ids: readonly string[]): Promise<Campaign[]>;
  /** Stops a campaign for good; returns its status before, or null when unknown. */
  stopCampaign(id: string): Promise<{ campaign: Campaign; previousStatus: Campaign['status'] } | null>;
}

/** Bucket of the ads state: `<prefix>_ads`. */
export function adsBucket(prefix: string): string {
  return names(prefix).squadBucket('ads');
}

const audienceKey = (id: string): string => `audience.${id}`;
const campaignKey = (id: string): string => `campaign.${id}`;

/** {@link AdsStore} over one KV bucket; every status change is a compare-and-set. */
export class KvAdsStore implements AdsStore {
  private readonly audiences: CatalogRecords<Audience>;
  private readonly campaigns: CatalogRecords<Campaign>;

  constructor(
    kv: KvStore,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.audiences = new CatalogRecords<Audience>(kv, AudienceSchema);
    this.campaigns = new CatalogRecords<Campaign>(kv, CampaignSchema);
  }

  async createAudience(audience: NewAudience): Promise<{ audience: Audience; created: boolean }> {
    const now = this.clock.now();
    const result = await this.audiences.createOnce(audienceKey(audience.id), {
      ...audience,
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    if (result.created || result.record.value.status === 'active') return { audience: result.record.value, created: result.created };
    const revived = await this.audiences.modify(audienceKey(audience.id), (a) => ({ ...a, status: 'active', updated_at: now }));
    return { audience: revived ?? result.record.value, created: false };
  }

  async getAudience(id: string): Promise<Audience | null> {
    return (await this.audiences.get(audienceKey(id)))?.value ?? null;
  }

  deleteAudience(id: string): Promise<Audience | null> {
    return this.audiences.modify(audienceKey(id), (a) =>
      a.status === 'deleted' ? undefined : { ...a, status: 'deleted', updated_at: this.clock.now() },
    );
  }

  async launchCampaign(campaign: NewCampaign): Promise<{ campaign: Campaign; created: boolean }> {
    const now = this.clock.now();
    const record: Campaign = { currency: 'BRL', ...campaign, status: 'active', paused_by: null, created_at: now, updated_at: now };
    const result = await this.campaigns.createOnce(campaignKey(campaign.id), record);
    return { campaign: result.record.value, created: result.created };
  }

  async getCampaign(id: string): Promise<Campaign | null> {
    return (await this.campaigns.get(campaignKey(id)))?.value ?? null;
  }

  async listCampaigns(filter: { productId?: string; status?: Campaign['status'] } = {}): Promise<Campaign[]> {
    // A scan: a shop has tens of campaigns, not millions; an index key would be the next step.
    const all = await this.campaigns.list('campaign.*');
    return all.filter(
      (c) =>
        (filter.productId === undefined || c.product_ids.includes(filter.productId)) &&
        (filter.status === undefined || c.status === filter.status),
    );
  }

  async pauseProductCampaigns(productId: string, pauseId: string): Promise<Campaign[]> {
    const candidates = await this.listCampaigns({ productId });
    const held: Campaign[] = [];
    for (const candidate of candidates) {
      const now = this.clock.now();
      const after = await this.campaigns.modify(campaignKey(candidate.id), (c) =>
        c.status === 'active' ? { ...c, status: 'paused', paused_by: pauseId, updated_at: now } : undefined,
      );
      // Includes campaigns this pause id paused in an earlier attempt, so a retried step reports the same set.
      if (after?.status === 'paused' && after.paused_by === pauseId) held.push(after);
    }
    return held;
  }

  async resumeCampaigns(ids: readonly string[]): Promise<Campaign[]> {
    const resumed: Campaign[] = [];
    for (const id of ids) {
      let changed = false;
      const after = await this.campaigns.modify(campaignKey(id), (c) => {
        changed = c.status === 'paused';
        return changed ? { ...c, status: 'active', paused_by: null, updated_at: this.clock.now() } : undefined;
      });
      if (after && changed) resumed.push(after);
    }
    return resumed;
  }

  async stopCampaign(id: string): Promise<{ campaign: Campaign; previousStatus: Campaign['status'] } | null> {
    let previousStatus: Campaign['status'] = 'stopped';
    const after = await this.campaigns.modify(campaignKey(id), (c) => {
      previousStatus = c.status;
      return c.status === 'stopped' ? undefined : { ...c, status: 'stopped', paused_by: null, updated_at: this.clock.now() };
    });
    return after ? { campaign: after, previousStatus } : null;
  }
}

/** The shape of `data/ads_campaigns.json`: always-on product campaigns that stock emergencies pause. */
export const AdsSeedFileSchema = z.object({
  campaigns: z.array(
    z.object({
      id: z.string().regex(/^[A-Za-z0-9_-]+$/),
      name: z.string(),
      kind: CampaignSchema.shape.kind,
      product_ids: z.array(z.string()),
      daily_budget: z.number().nonnegative(),
    }),
  ),
});

/** Opens `<prefix>_ads` and launches the seed file's campaigns that are not there yet (`dataFile: false` skips seeding). */
export async function openAdsStore(transport: Transport, prefix: string, options: { dataFile?: string | false } = {}): Promise<KvAdsStore> {
  const store = new KvAdsStore(await transport.kv(adsBucket(prefix)), transport.clock);
  const file = options.dataFile ?? dataFile('ads_campaigns.json');
  if (file !== false) {
    const { campaigns } = await readDataFile(file, AdsSeedFileSchema);
    await Promise.all(campaigns.map((c) => store.launchCampaign({ ...c, audience_id: null })));
  }
  return store;
}
