import { z } from 'zod';
import { handoffOutputSchema, uniqueTexts, type Handoff } from './common.ts';

const text = z.string().trim().min(1);

/** A product or service offer, as the offer domain hands it to marketing (seed 001, workflow 1). */
export const OfferToMarketingInputSchema = z.object({
  product_name: text,
  target_audience: text,
  value_proposition: text,
  pricing_tier: text,
  unique_selling_points: z.array(text).min(1),
  brand_guidelines: z.object({ colors: z.array(z.string()).optional(), tone: z.string().optional() }).optional(),
  marketing_budget: z.string().optional(),
  launch_timeline: z.string().optional(),
});
export type OfferToMarketingInput = z.output<typeof OfferToMarketingInputSchema>;

/** The campaign brief marketing receives. */
export const MarketingBriefSchema = z.object({
  campaign_name: z.string(),
  product_name: z.string(),
  target_audience: z.string(),
  value_proposition: z.string(),
  key_messages: z.array(z.string()).min(1),
  campaign_objectives: z.array(z.string()).min(1),
  channels: z.array(z.string()).min(1),
  budget_allocation: z.string(),
  launch_timeline: z.string(),
  pricing_tier: z.string(),
  brand_guidelines: z.object({ colors: z.array(z.string()), tone: z.string() }),
});
export type MarketingBrief = z.output<typeof MarketingBriefSchema>;

export const OfferToMarketingDataSchema = z.object({ marketing_brief: MarketingBriefSchema });
export const OfferToMarketingOutputSchema = handoffOutputSchema(OfferToMarketingDataSchema, 'marketing_campaign_creation');
export type OfferToMarketingOutput = z.output<typeof OfferToMarketingOutputSchema>;

/** Plain marker of a value not decided yet: the brief stays complete and says what marketing must settle. */
const TO_BE_DEFINED = 'TBD';
const PREMIUM = /premium|enterprise|pro\b/i;
const BUSINESS_AUDIENCE = /professional|b2b|business|executive|manager|compan/i;

/** Key messages: the selling points, de-duplicated, at most five (a campaign says few things well). */
function keyMessages(offer: OfferToMarketingInput): string[] {
  return uniqueTexts(offer.unique_selling_points).slice(0, 5);
}

function objectives(offer: OfferToMarketingInput): string[] {
  const list = ['Build awareness', 'Generate qualified leads', 'Drive conversions'];
  if (PREMIUM.test(offer.pricing_tier)) list.push('Establish premium positioning');
  return list;
}

/** Business audiences are reached where they work; consumers where they browse. */
function channels(offer: OfferToMarketingInput): string[] {
  return BUSINESS_AUDIENCE.test(offer.target_audience)
    ? ['LinkedIn', 'Email', 'Content marketing', 'Webinars']
    : ['Social media', 'Email', 'Paid search', 'Influencers'];
}

export function toMarketingBrief(offer: OfferToMarketingInput): { marketing_brief: MarketingBrief } {
  return {
    marketing_brief: {
      campaign_name: `${offer.product_name}_launch`,
      product_name: offer.product_name,
      target_audience: offer.target_audience,
      value_proposition: offer.value_proposition,
      key_messages: keyMessages(offer),
      campaign_objectives: objectives(offer),
      channels: channels(offer),
      budget_allocation: offer.marketing_budget?.trim() || TO_BE_DEFINED,
      launch_timeline: offer.launch_timeline?.trim() || TO_BE_DEFINED,
      pricing_tier: offer.pricing_tier,
      brand_guidelines: {
        colors: offer.brand_guidelines?.colors ?? [],
        tone: offer.brand_guidelines?.tone?.trim() || TO_BE_DEFINED,
      },
    },
  };
}

/** Offer → Marketing: product/service definition to marketing campaign brief. */
export const offerToMarketing: Handoff<OfferToMarketingInput, z.output<typeof OfferToMarketingDataSchema>> = {
  name: 'offer_to_marketing',
  description: 'Transforms a product/service offer into a marketing campaign brief',
  sourceDomain: 'offer',
  targetDomain: 'marketing',
  nextStep: 'marketing_campaign_creation',
  input: OfferToMarketingInputSchema,
  data: OfferToMarketingDataSchema,
  // The schema says all there is: every field required by the brief is checked there.
  rules: () => [],
  transform: toMarketingBrief,
};
