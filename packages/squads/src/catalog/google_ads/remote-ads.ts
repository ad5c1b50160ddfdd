import type { Audience } from '../common/ads-platform.ts';
import type { GoogleAdsRestClient } from './rest-client.ts';

/** Days a cart abandoner or lead stays in a list after its upload: retargeting after a month is spam. */
const MEMBERSHIP_LIFE_SPAN_DAYS = 30;

/**
 * Names on Google Ads carry our stable id, so a retried step finds what an
 * earlier attempt created (Google Ads mutations take no idempotency key, and
 * user list and campaign names are unique per account). Quotes and
 * backslashes are dropped: the name is also a GAQL string literal.
 */
export function remoteName(name: string, id: string): string {
  return `${name} (${id})`.replace(/['"\\]/g, '');
}

/** A campaign to create: a Display campaign with its own daily budget, targeting a user list when given. */
export interface RemoteCampaign {
  name: string;
  dailyBudget: number;
  userList?: string | undefined;
}

/**
 * The Google Ads operations the ads adapter needs, as REST request bodies:
 * Customer Match user lists (`userLists:mutate`, then an
 * `offlineUserDataJobs:create` → `:addOperations` → `:run` upload of the
 * hashed identifiers) and campaigns (`campaignBudgets:mutate`,
 * `campaigns:mutate`, `campaignCriteria:mutate`).
 */
export class GoogleAdsRemote {
  constructor(private readonly api: GoogleAdsRestClient) {}

  /** The CRM-based user list of that name, created when missing; its resource name. */
  async ensureUserList(name: string): Promise<string> {
    const rows = await this.api.search(`SELECT user_list.resource_name FROM user_list WHERE user_list.name = '${name}' LIMIT 1`);
    const found = rows[0]?.['userList']?.resourceName;
    if (found) return found;
    return this.api.mutateOne('userLists', {
      create: {
        name,
        description: 'Created by squadflow (Customer Match, hashed phone/email)',
        membershipStatus: 'OPEN',
        membershipLifeSpan: MEMBERSHIP_LIFE_SPAN_DAYS,
        crmBasedUserList: { uploadKeyType: 'CONTACT_INFO', dataSourceType: 'FIRST_PARTY' },
      },
    });
  }

  /**
   * Adds the members to the list with an offline user data job and starts
   * it; returns the job's resource name (null when there was nothing to upload). Google processes the job within
   * hours; uploading the same hashes again is harmless (a retried step does).
   */
  async uploadMembers(userList: string, members: Audience['members']): Promise<string | null> {
    const operations = members
      .map((m) => [
        ...(m.phone_sha256 ? [{ hashedPhoneNumber: m.phone_sha256 }] : []),
        ...(m.email_sha256 ? [{ hashedEmail: m.email_sha256 }] : []),
      ])
      .filter((ids) => ids.length > 0)
      .map((userIdentifiers) => ({ create: { userIdentifiers } }));
    // Google refuses a job without operations; an empty audience is just the list.
    if (operations.length === 0) return null;
    const job = await this.api.post<{ resourceName?: string }>(`customers/${this.api.customerId}/offlineUserDataJobs:create`, {
      job: { type: 'CUSTOMER_MATCH_USER_LIST', customerMatchUserListMetadata: { userList } },
    });
    const jobName = job.resourceName ?? '';
    await this.api.post(`${jobName}:addOperations`, { enablePartialFailure: true, operations });
    await this.api.post(`${jobName}:run`, {});
    return jobName;
  }

  removeUserList(resourceName: string): Promise<string> {
    return this.api.mutateOne('userLists', { remove: resourceName });
  }

  /** The non-removed campaign of that name, created (with its budget and audience) when missing; its resource name. */
  async ensureCampaign(campaign: RemoteCampaign): Promise<string> {
    const found = await this.findOne('campaign', `campaign.name = '${campaign.name}' AND campaign.status != 'REMOVED'`);
    if (found) return found;
    const budgetName = `${campaign.name} budget`;
    const budget =
      (await this.findOne('campaign_budget', `campaign_budget.name = '${budgetName}'`)) ??
      (await this.api.mutateOne('campaignBudgets', {
        create: {
          name: budgetName,
          amountMicros: String(Math.round(campaign.dailyBudget * 1_000_000)),
          deliveryMethod: 'STANDARD',
          explicitlyShared: false,
        },
      }));
    const created = await this.api.mutateOne('campaigns', {
      create: {
        name: campaign.name,
        status: 'ENABLED',
        advertisingChannelType: 'DISPLAY',
        campaignBudget: budget,
        manualCpc: {},
        // Required on every new campaign since 2025 (FieldError.REQUIRED otherwise).
        containsEuPoliticalAdvertising: 'DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING',
      },
    });
    if (campaign.userList) {
      await this.api.mutateOne('campaignCriteria', { create: { campaign: created, userList: { userList: campaign.userList } } });
    }
    return created;
  }

  setCampaignStatus(resourceName: string, status: 'ENABLED' | 'PAUSED'): Promise<string> {
    return this.api.mutateOne('campaigns', { update: { resourceName, status }, updateMask: 'status' });
  }

  removeCampaign(resourceName: string): Promise<string> {
    return this.api.mutateOne('campaigns', { remove: resourceName });
  }

  private async findOne(resource: 'campaign' | 'campaign_budget', where: string): Promise<string | undefined> {
    const rows = await this.api.search(`SELECT ${resource}.resource_name FROM ${resource} WHERE ${where} LIMIT 1`);
    const key = resource === 'campaign' ? 'campaign' : 'campaignBudget';
    return rows[0]?.[key]?.resourceName;
  }
}
