import { z } from 'zod';
import { defineSquad, type SquadDefinition } from '../../define-squad.ts';
import { NonRetryableError } from '../../errors.ts';
import { acceptStepOutput, catalogAction } from '../common/action.ts';
import type { AdsPlatform } from '../common/ads-platform.ts';
import { stableId } from '../common/ids.ts';
import { normalizePhone, tryNormalizePhone } from '../common/phone.ts';
import { optionalText } from '../common/schemas.ts';
import { hashMatchEmail, hashMatchPhone } from './customer-match.ts';

export interface GoogleAdsSquadDeps {
  /** The simulation (`KvAdsStore`) or Google Ads (`GoogleAdsPlatform`); every output carries its `simulated`. */
  ads: AdsPlatform;
}

/** Says on every output whether a real ad platform was acted upon. */
const Simulated = z.boolean();

const AudienceOutput = z.object({
  audience_id: z.string(),
  name: z.string(),
  size: z.number().int(),
  product_ids: z.array(z.string()),
  segment: z.string().nullable(),
  /** False when this execution step had already created it (redelivery, retry). */
  created: z.boolean(),
  simulated: Simulated,
});

/**
 * The google_ads squad: Customer Match audiences and product campaigns on the
 * {@link AdsPlatform} it is given: simulated in KV by default, Google Ads when
 * configured (`GOOGLE_ADS_*`, see docs/integrations.md).
 * Audience ids derive from (execution, step), so a redelivered or retried
 * step returns the audience it created instead of making another.
 */
export function createGoogleAdsSquad(deps: GoogleAdsSquadDeps): SquadDefinition {
  const { ads } = deps;
  const simulated = ads.simulated;
  return defineSquad({
    name: 'google_ads',
    description: ads.simulated
      ? 'Retargeting audiences and product campaigns (simulated in KV: nothing reaches Google Ads)'
      : 'Retargeting audiences and product campaigns on Google Ads',
    actions: {
      /** Creates a retargeting audience with the cart's customer; undone by `delete_audience`. */
      create_cart_abandoner_audience: catalogAction({
        description:
          'Creates a retargeting audience holding the cart abandoner (hashed phone). Input: the abandoned_cart_recovery context.',
        compensate: 'delete_audience',
        input: z.object({
          customer_phone: z.string().min(1),
          customer_name: optionalText,
          abandoned_items: z.array(z.object({ id: z.string() })).default([]),
        }),
        output: AudienceOutput,
        async handler(input, ctx) {
          const phone = normalizePhone(input.customer_phone);
          const { audience, created } = await deps.ads.createAudience({
            id: stableId('aud', ctx.executionId, ctx.step),
            name: `Carrinho abandonado - ${input.customer_name ?? `...${phone.slice(-4)}`}`,
            kind: 'cart_abandoners',
            members: [{ phone_sha256: hashMatchPhone(phone) }],
            product_ids: input.abandoned_items.map((i) => i.id),
          });
          return toOutput(audience, created, simulated);
        },
      }),
      /** Creates an audience with a new lead (hashed phone and/or email); undone by `delete_audience`. */
      create_lead_audience: catalogAction({
        description: 'Creates a lead audience (hashed phone/email) for nurture campaigns. Input: lead_data plus optional segment.',
        compensate: 'delete_audience',
        input: z.object({ phone: optionalText, email: optionalText, name: optionalText, segment: optionalText }),
        output: AudienceOutput,
        async handler(input, ctx) {
          // One usable identifier is enough: a lead from a form may have a bad phone but a good email.
          const phone = input.phone === undefined ? null : tryNormalizePhone(input.phone);
          const email = input.email?.includes('@') ? input.email : undefined;
          if (phone === null && email === undefined) {
            throw new NonRetryableError('the lead has no valid phone or email to match on', { code: 'NO_IDENTIFIERS' });
          }
          const { audience, created } = await deps.ads.createAudience({
            id: stableId('aud', ctx.executionId, ctx.step),
            name: `Leads - ${input.segment ?? 'geral'} - ${input.name ?? ctx.executionId}`,
            kind: 'leads',
            members: [
              {
                ...(phone === null ? {} : { phone_sha256: hashMatchPhone(phone) }),
                ...(email ? { email_sha256: hashMatchEmail(email) } : {}),
              },
            ],
            product_ids: [],
            ...(input.segment === undefined ? {} : { segment: input.segment }),
          });
          return toOutput(audience, created, simulated);
        },
      }),
      /** Deletes an audience: the compensation of both audience creations. */
      delete_audience: catalogAction({
        description: 'Deletes an audience. Input: { audience_id } or the default compensation input { context, output }.',
        input: acceptStepOutput(z.object({ audience_id: z.string().min(1) })),
        output: z.object({ audience_id: z.string(), status: z.enum(['deleted', 'not_found']), simulated: Simulated }),
        async handler({ audience_id }) {
          const audience = await deps.ads.deleteAudience(audience_id);
          return { audience_id, status: audience ? 'deleted' : 'not_found', simulated } as const;
        },
      }),
      /** Pauses the product's active campaigns (nothing to sell); undone by `resume_product_campaigns`. */
      pause_product_campaigns: catalogAction({
        description:
          "Pauses a product's active campaigns. Input: { product_id } (the stock_emergency context). Output lists what it paused.",
        compensate: 'resume_product_campaigns',
        input: z.object({ product_id: z.string().min(1) }),
        output: z.object({
          product_id: z.string(),
          pause_id: z.string(),
          paused_campaign_ids: z.array(z.string()),
          paused_count: z.number().int(),
          simulated: Simulated,
        }),
        async handler({ product_id }, ctx) {
          const pause_id = stableId('pause', ctx.executionId, ctx.step);
          const paused = await deps.ads.pauseProductCampaigns(product_id, pause_id);
          const paused_campaign_ids = paused.map((c) => c.id).sort();
          return { product_id, pause_id, paused_campaign_ids, paused_count: paused_campaign_ids.length, simulated };
        },
      }),
      /** Resumes paused campaigns: those a pause listed, else every paused campaign of the product (after a restock). */
      resume_product_campaigns: catalogAction({
        description:
          'Resumes paused campaigns: `paused_campaign_ids` if given (the pause output, as compensation), else all paused campaigns of `product_id`.',
        input: acceptStepOutput(
          z
            .object({ product_id: z.string().min(1).optional(), paused_campaign_ids: z.array(z.string()).optional() })
            .refine((v) => v.product_id !== undefined || v.paused_campaign_ids !== undefined, 'give product_id or paused_campaign_ids'),
        ),
        output: z.object({
          product_id: z.string().nullable(),
          resumed_campaign_ids: z.array(z.string()),
          resumed_count: z.number().int(),
          simulated: Simulated,
        }),
        async handler(input) {
          const ids =
            input.paused_campaign_ids ??
            (await deps.ads.listCampaigns({ productId: input.product_id!, status: 'paused' })).map((c) => c.id);
          const resumed_campaign_ids = (await deps.ads.resumeCampaigns(ids)).map((c) => c.id).sort();
          return {
            product_id: input.product_id ?? null,
            resumed_campaign_ids,
            resumed_count: resumed_campaign_ids.length,
            simulated,
          };
        },
      }),
    },
  });
}

function toOutput(
  audience: { id: string; name: string; members: unknown[]; product_ids: string[]; segment?: string | undefined },
  created: boolean,
  simulated: boolean,
): z.output<typeof AudienceOutput> {
  return {
    audience_id: audience.id,
    name: audience.name,
    size: audience.members.length,
    product_ids: audience.product_ids,
    segment: audience.segment ?? null,
    created,
    simulated,
  };
}
