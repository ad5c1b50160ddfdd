import { z } from 'zod';
import { handoffOutputSchema, uniqueTexts, type FieldProblem, type Handoff } from './common.ts';

const text = z.string().trim().min(1);
const level = z.enum(['low', 'medium', 'high']);

/** A lead as marketing captured it. */
export const LeadSchema = z.object({
  id: text,
  contact_info: z.object({ name: text, email: z.email(), company: z.string().optional(), phone: z.string().optional() }),
  score: z.number().min(0).max(100),
  engagement_level: level,
  interests: z.array(z.string()).default([]),
  pain_points: z.array(z.string()).default([]),
  budget_indicator: level.optional(),
  urgency: level.optional(),
});
export type Lead = z.output<typeof LeadSchema>;

/** A campaign's results, as marketing hands them to sales (seed 001, workflow 2). */
export const MarketingToSalesInputSchema = z.object({
  campaign_id: text,
  campaign_name: text,
  leads_generated: z.array(LeadSchema),
  campaign_metrics: z.object({
    impressions: z.number().int().min(0),
    clicks: z.number().int().min(0),
    conversion_rate: z.number().min(0).max(1),
  }),
});
export type MarketingToSalesInput = z.output<typeof MarketingToSalesInputSchema>;

export const SalesBriefSchema = z.object({
  prospect_id: z.string(),
  contact_info: LeadSchema.shape.contact_info,
  qualification: z.enum(['hot', 'warm', 'cool']),
  qualification_score: z.number(),
  recommended_approach: z.string(),
  key_talking_points: z.array(z.string()),
  next_actions: z.array(z.string()).min(1),
  budget_indicator: level.optional(),
  interests: z.array(z.string()),
});
export type SalesBrief = z.output<typeof SalesBriefSchema>;

export const MarketingToSalesDataSchema = z.object({
  campaign_id: z.string(),
  campaign_name: z.string(),
  sales_briefs: z.array(SalesBriefSchema),
  qualified_leads_count: z.number().int().min(0),
  disqualified_lead_ids: z.array(z.string()),
});
export const MarketingToSalesOutputSchema = handoffOutputSchema(MarketingToSalesDataSchema, 'sales_engagement');
export type MarketingToSalesOutput = z.output<typeof MarketingToSalesOutputSchema>;

/** Below this score a lead goes back to marketing's nurturing, not to sales. */
export const QUALIFICATION_THRESHOLD = 50;

function qualification(score: number): SalesBrief['qualification'] {
  return score >= 80 ? 'hot' : score >= 60 ? 'warm' : 'cool';
}

/** `<timing>_<priority>_priority`: how soon (urgency) and how much effort (score). */
export function recommendedApproach(lead: Pick<Lead, 'score' | 'urgency'>): string {
  const priority = lead.score >= 80 ? 'high' : lead.score >= 60 ? 'medium' : 'low';
  const timing = lead.urgency === 'high' ? 'immediate_outreach' : lead.urgency === 'medium' ? 'scheduled_outreach' : 'nurture_sequence';
  return `${timing}_${priority}_priority`;
}

function talkingPoints(lead: Lead, campaignName: string): string[] {
  return uniqueTexts([
    ...lead.pain_points.map((p) => `Pain point: ${p}`),
    ...lead.interests.map((i) => `Interested in ${i}`),
    `Engaged (${lead.engagement_level}) with the ${campaignName} campaign`,
  ]);
}

function nextActions(lead: Lead): string[] {
  const actions =
    lead.urgency === 'high'
      ? ['Call within 24 hours', 'Send a tailored proposal']
      : lead.urgency === 'medium'
        ? ['Schedule a discovery call this week', 'Share a relevant case study']
        : ['Add to the nurture sequence', 'Re-score in 30 days'];
  if (lead.budget_indicator === 'high') actions.push('Prepare premium pricing options');
  return actions;
}

function toBrief(lead: Lead, campaignName: string): SalesBrief {
  return {
    prospect_id: lead.id,
    contact_info: lead.contact_info,
    qualification: qualification(lead.score),
    qualification_score: lead.score,
    recommended_approach: recommendedApproach(lead),
    key_talking_points: talkingPoints(lead, campaignName),
    next_actions: nextActions(lead),
    ...(lead.budget_indicator ? { budget_indicator: lead.budget_indicator } : {}),
    interests: lead.interests,
  };
}

/** Briefs for qualified leads, best first (score, then id: a stable order for the same input). */
export function toSalesBriefs(input: MarketingToSalesInput): z.output<typeof MarketingToSalesDataSchema> {
  const qualified = input.leads_generated
    .filter((l) => l.score >= QUALIFICATION_THRESHOLD)
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return {
    campaign_id: input.campaign_id,
    campaign_name: input.campaign_name,
    sales_briefs: qualified.map((l) => toBrief(l, input.campaign_name)),
    qualified_leads_count: qualified.length,
    disqualified_lead_ids: input.leads_generated.filter((l) => l.score < QUALIFICATION_THRESHOLD).map((l) => l.id),
  };
}

function rules(input: MarketingToSalesInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  input.leads_generated.forEach((lead, i) => {
    if (seen.has(lead.id)) problems.push({ path: `leads_generated.${i}.id`, message: `duplicate lead id "${lead.id}"` });
    seen.add(lead.id);
  });
  const { clicks, impressions } = input.campaign_metrics;
  if (clicks > impressions)
    problems.push({ path: 'campaign_metrics.clicks', message: `more clicks (${clicks}) than impressions (${impressions})` });
  return problems;
}

/** Marketing → Sales: qualifies the campaign's leads and writes a brief per prospect. */
export const marketingToSales: Handoff<MarketingToSalesInput, z.output<typeof MarketingToSalesDataSchema>> = {
  name: 'marketing_to_sales',
  description: 'Qualifies marketing leads and creates sales prospect briefs',
  sourceDomain: 'marketing',
  targetDomain: 'sales',
  nextStep: 'sales_engagement',
  input: MarketingToSalesInputSchema,
  data: MarketingToSalesDataSchema,
  rules,
  transform: toSalesBriefs,
};
