import type { Clock, KvStore, Transport } from '@squadflow/transport';
import { names } from '@squadflow/shared';
import { z } from 'zod';
import {
  AudienceSchema,
  CampaignSchema,
  type AdsPlatform,
  type Audience,
  type Campaign,
  type NewAudience,
  type NewCampaign,
} from './ads-platform.ts';
import { dataFile, readDataFile } from './data-file.ts';
import { CatalogRecords } from './kv-records.ts';

/** Bucket of the ads state: `<prefix>_ads`. */
export function adsBucket(prefix: string): string {
  return names(prefix).squadBucket('ads');
}

const audienceKey = (id: string): string => `audience.${id}`;
const campaignKey = (id: string): string => `campaign.${id}`;

/**
 * The simulated ad platform: audiences and campaigns as records in one KV
 * bucket, every status change a compare-and-set. Nothing reaches an ad
 * platform (`simulated: true`). `GoogleAdsPlatform` keeps its own bookkeeping
 * (ids, pauses, the remote resource names) in the same records.
 */
export class KvAdsStore implements AdsPlatform {
  readonly simulated = true;
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
      a.status === 'deleted' ? undefined : { ...withoutRemote(a), status: 'deleted', updated_at: this.clock.now() },
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
    return this.pauseCampaigns(
      candidates.map((c) => c.id),
      pauseId,
    );
  }

  /** Pauses the given active campaigns for `pauseId`; returns those the pause holds (also from an earlier run, so a retried step reports the same set). */
  async pauseCampaigns(ids: readonly string[], pauseId: string): Promise<Campaign[]> {
    const held: Campaign[] = [];
    for (const id of ids) {
      const now = this.clock.now();
      const after = await this.campaigns.modify(campaignKey(id), (c) =>
        c.status === 'active' ? { ...c, status: 'paused', paused_by: pauseId, updated_at: now } : undefined,
      );
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
      return c.status === 'stopped' ? undefined : { ...withoutRemote(c), status: 'stopped', paused_by: null, updated_at: this.clock.now() };
    });
    return after ? { campaign: after, previousStatus } : null;
  }

  /** Records the ad platform's resource name of an audience or campaign (the real adapter's bookkeeping). */
  linkAudience(id: string, remoteId: string): Promise<Audience | null> {
    return this.audiences.modify(audienceKey(id), (a) => (a.remote_id === remoteId ? undefined : { ...a, remote_id: remoteId }));
  }

  /** See {@link linkAudience}. */
  linkCampaign(id: string, remoteId: string): Promise<Campaign | null> {
    return this.campaigns.modify(campaignKey(id), (c) => (c.remote_id === remoteId ? undefined : { ...c, remote_id: remoteId }));
  }
}

/** A deleted audience or stopped campaign no longer points at a remote resource (it was removed there). */
function withoutRemote<T extends { remote_id?: string | undefined }>(record: T): T {
  const { remote_id: _removed, ...rest } = record;
  return rest as T;
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
      /** The live Google Ads campaign this entry stands for (digits): only such entries are linked when Google Ads is configured. */
      google_ads_campaign_id: z.string().regex(/^\d+$/, 'must be the numeric Google Ads campaign id').optional(),
    }),
  ),
});

/** Opens `<prefix>_ads` (the simulation) and launches the seed file's campaigns that are not there yet (`dataFile: false` skips seeding). */
export async function openAdsStore(transport: Transport, prefix: string, options: { dataFile?: string | false } = {}): Promise<KvAdsStore> {
  const store = new KvAdsStore(await transport.kv(adsBucket(prefix)), transport.clock);
  const file = options.dataFile ?? dataFile('ads_campaigns.json');
  if (file !== false) {
    const { campaigns } = await readDataFile(file, AdsSeedFileSchema);
    await Promise.all(campaigns.map(({ google_ads_campaign_id: _live, ...c }) => store.launchCampaign({ ...c, audience_id: null })));
  }
  return store;
}
