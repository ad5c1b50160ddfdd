import type { Transport } from '@squadflow/transport';
import type { AdsPlatform, Audience, Campaign, NewAudience, NewCampaign } from '../common/ads-platform.ts';
import { adsBucket, AdsSeedFileSchema, KvAdsStore } from '../common/ads-store.ts';
import { dataFile, readDataFile } from '../common/data-file.ts';
import type { GoogleAdsConfig } from './env.ts';
import { GoogleAdsRemote, remoteName } from './remote-ads.ts';
import { GoogleAdsRestClient } from './rest-client.ts';

/**
 * The ads port on Google Ads (`simulated: false`). Google Ads is what is
 * acted upon; a {@link KvAdsStore} keeps the bookkeeping Google Ads has no
 * place for: our stable ids, the pause that paused a campaign, the hashed
 * members, and the resource name each record stands for. Every change goes
 * to Google Ads first and to the bookkeeping after, so a step retried after
 * a failure in between repeats the (idempotent) remote change instead of
 * skipping it.
 */
export class GoogleAdsPlatform implements AdsPlatform {
  readonly simulated = false;

  constructor(
    private readonly remote: GoogleAdsRemote,
    private readonly records: KvAdsStore,
    private readonly customerId: string,
  ) {}

  async createAudience(audience: NewAudience): Promise<{ audience: Audience; created: boolean }> {
    const { audience: record, created } = await this.records.createAudience(audience);
    if (record.remote_id) return { audience: record, created };
    const userList = await this.remote.ensureUserList(remoteName(record.name, record.id));
    await this.remote.uploadMembers(userList, record.members);
    return { audience: (await this.records.linkAudience(record.id, userList)) ?? record, created };
  }

  getAudience(id: string): Promise<Audience | null> {
    return this.records.getAudience(id);
  }

  async deleteAudience(id: string): Promise<Audience | null> {
    const current = await this.records.getAudience(id);
    if (current?.status === 'active' && current.remote_id) await this.remote.removeUserList(current.remote_id);
    return this.records.deleteAudience(id);
  }

  async launchCampaign(campaign: NewCampaign): Promise<{ campaign: Campaign; created: boolean }> {
    const { campaign: record, created } = await this.records.launchCampaign(campaign);
    if (record.remote_id || record.status === 'stopped') return { campaign: record, created };
    const audience = record.audience_id ? await this.records.getAudience(record.audience_id) : null;
    const remoteId = await this.remote.ensureCampaign({
      name: remoteName(record.name, record.id),
      dailyBudget: record.daily_budget,
      userList: audience?.remote_id,
    });
    return { campaign: (await this.records.linkCampaign(record.id, remoteId)) ?? record, created };
  }

  getCampaign(id: string): Promise<Campaign | null> {
    return this.records.getCampaign(id);
  }

  listCampaigns(filter?: { productId?: string; status?: Campaign['status'] }): Promise<Campaign[]> {
    return this.records.listCampaigns(filter);
  }

  /** Pauses on Google Ads only the campaigns linked to one there: a campaign known only locally was never live. */
  async pauseProductCampaigns(productId: string, pauseId: string): Promise<Campaign[]> {
    const campaigns = await this.records.listCampaigns({ productId });
    const live = campaigns.filter((c) => c.remote_id !== undefined);
    for (const c of live) if (c.status === 'active') await this.remote.setCampaignStatus(c.remote_id!, 'PAUSED');
    return this.records.pauseCampaigns(
      live.map((c) => c.id),
      pauseId,
    );
  }

  async resumeCampaigns(ids: readonly string[]): Promise<Campaign[]> {
    const resumed: Campaign[] = [];
    for (const id of ids) {
      const current = await this.records.getCampaign(id);
      if (current?.status !== 'paused') continue;
      if (current.remote_id) await this.remote.setCampaignStatus(current.remote_id, 'ENABLED');
      resumed.push(...(await this.records.resumeCampaigns([id])));
    }
    return resumed;
  }

  async stopCampaign(id: string): Promise<{ campaign: Campaign; previousStatus: Campaign['status'] } | null> {
    const current = await this.records.getCampaign(id);
    if (current && current.status !== 'stopped' && current.remote_id) await this.remote.removeCampaign(current.remote_id);
    return this.records.stopCampaign(id);
  }

  /**
   * Links the seed file's entries that name a live campaign
   * (`google_ads_campaign_id`), so a stock emergency pauses them. Entries
   * without one are skipped: they would be campaigns that exist nowhere.
   */
  async linkSeedCampaigns(file: string): Promise<number> {
    const { campaigns } = await readDataFile(file, AdsSeedFileSchema);
    let linked = 0;
    for (const { google_ads_campaign_id: liveId, ...c } of campaigns) {
      if (liveId === undefined) continue;
      await this.records.launchCampaign({ ...c, audience_id: null });
      await this.records.linkCampaign(c.id, `customers/${this.customerId}/campaigns/${liveId}`);
      linked++;
    }
    return linked;
  }
}

export interface OpenGoogleAdsOptions {
  /** Campaigns file whose `google_ads_campaign_id` entries are linked (default `data/ads_campaigns.json`); `false` links none. */
  dataFile?: string | false;
  /** Clock of the token cache (tests). */
  now?: () => number;
}

/** Opens the bookkeeping bucket `<prefix>_ads` and returns the Google Ads adapter over it. */
export async function openGoogleAdsPlatform(
  transport: Transport,
  prefix: string,
  config: GoogleAdsConfig,
  options: OpenGoogleAdsOptions = {},
): Promise<GoogleAdsPlatform> {
  const records = new KvAdsStore(await transport.kv(adsBucket(prefix)), transport.clock);
  const client = new GoogleAdsRestClient(config, options.now ? { now: options.now } : {});
  const platform = new GoogleAdsPlatform(new GoogleAdsRemote(client), records, config.customerId);
  const file = options.dataFile ?? dataFile('ads_campaigns.json');
  if (file !== false) await platform.linkSeedCampaigns(file);
  return platform;
}
