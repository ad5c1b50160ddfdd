import { z } from 'zod';

/** A customer list for ad targeting; members are SHA-256 hashes of normalised phone/email (Customer Match). */
export const AudienceSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['cart_abandoners', 'leads']),
  status: z.enum(['active', 'deleted']),
  members: z.array(z.object({ phone_sha256: z.string().optional(), email_sha256: z.string().optional() })),
  product_ids: z.array(z.string()),
  segment: z.string().optional(),
  /** The ad platform's resource name (`customers/1/userLists/2`); absent in the simulation. */
  remote_id: z.string().optional(),
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
  /** The ad platform's resource name (`customers/1/campaigns/2`); absent in the simulation. */
  remote_id: z.string().optional(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Campaign = z.output<typeof CampaignSchema>;

export type NewAudience = Omit<Audience, 'status' | 'created_at' | 'updated_at' | 'remote_id'>;
export type NewCampaign = Omit<Campaign, 'status' | 'paused_by' | 'created_at' | 'updated_at' | 'currency' | 'remote_id'> & {
  currency?: string;
};

/**
 * The ad platform port of the google_ads and traffic squads: audiences and
 * campaigns. Creations take the caller's stable id, so a retried step finds
 * what it created. Two adapters: `KvAdsStore` (the simulation: records in KV,
 * nothing leaves the process, `simulated: true`) and `GoogleAdsPlatform`
 * (the Google Ads REST API, `simulated: false`).
 */
export interface AdsPlatform {
  /** True when nothing reaches a real ad platform: every squad output repeats it. */
  readonly simulated: boolean;
  /** Creates the audience unless `id` exists (a deleted one is re-activated). `created` is false for an existing id. */
  createAudience(audience: NewAudience): Promise<{ audience: Audience; created: boolean }>;
  getAudience(id: string): Promise<Audience | null>;
  /** Marks the audience deleted; returns it (also when it was deleted already), or null when unknown. */
  deleteAudience(id: string): Promise<Audience | null>;
  /** Launches (creates active) the campaign unless `id` exists. */
  launchCampaign(campaign: NewCampaign): Promise<{ campaign: Campaign; created: boolean }>;
  getCampaign(id: string): Promise<Campaign | null>;
  listCampaigns(filter?: { productId?: string; status?: Campaign['status'] }): Promise<Campaign[]>;
  /** Pauses the product's active campaigns on behalf of `pauseId`; returns every campaign that pause holds (also from an earlier run). */
  pauseProductCampaigns(productId: string, pauseId: string): Promise<Campaign[]>;
  /** Re-activates the given campaigns that are paused; returns those it resumed. */
  resumeCampaigns(ids: readonly string[]): Promise<Campaign[]>;
  /** Stops a campaign for good; returns it with its status before, or null when unknown. */
  stopCampaign(id: string): Promise<{ campaign: Campaign; previousStatus: Campaign['status'] } | null>;
}
