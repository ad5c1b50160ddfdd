import { z } from 'zod';
import type { ActionContext } from '../../action.ts';
import { defineSquad, type SquadDefinition } from '../../define-squad.ts';
import { NonRetryableError } from '../../errors.ts';
import { acceptStepOutput, catalogAction } from '../common/action.ts';
import type { AdsPlatform, Campaign, NewCampaign } from '../common/ads-platform.ts';
import { stableId } from '../common/ids.ts';
import { optionalText } from '../common/schemas.ts';
import { cartRecoveryBudget, leadNurtureBudget } from './budget.ts';

export interface TrafficSquadDeps {
  /** The same ad platform port as google_ads (its audiences are targeted here); every output carries its `simulated`. */
  ads: AdsPlatform;
}

const CampaignOutput = z.object({
  campaign_id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'paused', 'stopped']),
  audience_id: z.string().nullable(),
  product_ids: z.array(z.string()),
  daily_budget: z.number(),
  currency: z.string(),
  /** False when this execution step had already launched it (redelivery, retry). */
  created: z.boolean(),
  /** True when the campaign lives only in the KV simulation, not on Google Ads. */
  simulated: z.boolean(),
});
type CampaignOutput = z.output<typeof CampaignOutput>;

const DailyBudget = z.number().positive().max(100_000).optional();

/**
 * The traffic squad: launches campaigns on the {@link AdsPlatform} (simulated
 * in KV by default, Google Ads when configured). Campaign
 * ids derive from (execution, step), so a retried launch never runs two
 * campaigns; `stop_campaign` undoes a launch in a saga.
 */
export function createTrafficSquad(deps: TrafficSquadDeps): SquadDefinition {
  /** Checks the audience a launch targets: launching at a deleted audience would spend for nobody. */
  const requireAudience = async (audienceId: string | undefined): Promise<string | null> => {
    if (audienceId === undefined) return null;
    const audience = await deps.ads.getAudience(audienceId);
    if (audience?.status !== 'active') {
      throw new NonRetryableError(`audience ${JSON.stringify(audienceId)} is ${audience ? 'deleted' : 'unknown'}`, {
        code: 'UNKNOWN_AUDIENCE',
      });
    }
    return audienceId;
  };
  const launch = async (campaign: Omit<NewCampaign, 'id'>, ctx: ActionContext): Promise<CampaignOutput> => {
    const result = await deps.ads.launchCampaign({ ...campaign, id: stableId('cmp', ctx.executionId, ctx.step) });
    ctx.logger.info({ campaignId: result.campaign.id, created: result.created }, 'campaign launched');
    return toOutput(result.campaign, result.created, deps.ads.simulated);
  };

  return defineSquad({
    name: 'traffic',
    description: deps.ads.simulated
      ? 'Paid traffic campaigns (retargeting, nurture), simulated in KV: nothing reaches Google Ads'
      : 'Paid traffic campaigns (retargeting, nurture) on Google Ads',
    actions: {
      /** Launches a retargeting campaign for an abandoned cart; undone by `stop_campaign`. */
      launch_cart_recovery_campaign: catalogAction({
        description:
          'Launches a cart-recovery retargeting campaign (budget from cart_value unless daily_budget). Input: the cart context plus audience_id.',
        compensate: 'stop_campaign',
        input: z.object({
          audience_id: optionalText,
          customer_name: optionalText,
          abandoned_items: z.array(z.object({ id: z.string() })).default([]),
          cart_value: z.number().nonnegative().optional(),
          daily_budget: DailyBudget,
        }),
        output: CampaignOutput,
        async handler(input, ctx) {
          const audience_id = await requireAudience(input.audience_id);
          const name = `Recuperação de carrinho - ${input.customer_name ?? ctx.executionId}`;
          const daily_budget = input.daily_budget ?? cartRecoveryBudget(input.cart_value);
          const product_ids = input.abandoned_items.map((i) => i.id);
          return launch({ name, kind: 'cart_recovery', product_ids, audience_id, daily_budget }, ctx);
        },
      }),
      /** Launches a nurture campaign for a lead audience, budget by segment; undone by `stop_campaign`. */
      launch_lead_nurture_campaign: catalogAction({
        description:
          'Launches a lead nurture campaign (budget by segment: hot 30, warm 15, cold 5 BRL/day). Input: { audience_id, segment }.',
        compensate: 'stop_campaign',
        input: z.object({ audience_id: optionalText, segment: optionalText, name: optionalText, daily_budget: DailyBudget }),
        output: CampaignOutput,
        async handler(input, ctx) {
          const audience_id = await requireAudience(input.audience_id);
          const name = `Nutrição de leads - ${input.segment ?? 'geral'} - ${input.name ?? ctx.executionId}`;
          const daily_budget = input.daily_budget ?? leadNurtureBudget(input.segment);
          return launch({ name, kind: 'lead_nurture', product_ids: [], audience_id, daily_budget }, ctx);
        },
      }),
      /** Stops a campaign for good: the compensation of both launches. */
      stop_campaign: catalogAction({
        description: 'Stops a campaign. Input: { campaign_id } or the default compensation input { context, output }.',
        input: acceptStepOutput(z.object({ campaign_id: z.string().min(1) })),
        output: z.object({
          campaign_id: z.string(),
          status: z.enum(['stopped', 'not_found']),
          previous_status: z.enum(['active', 'paused', 'stopped']).nullable(),
          simulated: z.boolean(),
        }),
        async handler({ campaign_id }) {
          const { simulated } = deps.ads;
          const result = await deps.ads.stopCampaign(campaign_id);
          if (!result) return { campaign_id, status: 'not_found' as const, previous_status: null, simulated };
          return { campaign_id, status: 'stopped' as const, previous_status: result.previousStatus, simulated };
        },
      }),
    },
  });
}

function toOutput(campaign: Campaign, created: boolean, simulated: boolean): CampaignOutput {
  const { id, name, status, audience_id, product_ids, daily_budget, currency } = campaign;
  return { campaign_id: id, name, status, audience_id, product_ids, daily_budget, currency, created, simulated };
}
