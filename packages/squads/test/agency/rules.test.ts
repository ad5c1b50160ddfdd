import { describe, expect, it } from 'vitest';
import { categoryScores, pricingAdjustment, satisfactionScore, sentimentOf } from '../../src/catalog/agency/feedback-analysis.ts';
import { HANDOFFS } from '../../src/catalog/agency/index.ts';
import { recommendedApproach } from '../../src/catalog/agency/marketing-to-sales.ts';
import { workOrderPriority } from '../../src/catalog/agency/sales-to-fulfillment.ts';
import { checksumOf } from '../../src/catalog/agency/package.ts';
import { sampleInput } from './samples.ts';

describe('agency handoff rules', () => {
  it.each([
    [85, 'high', 'immediate_outreach_high_priority'],
    [85, 'low', 'nurture_sequence_high_priority'],
    [70, 'medium', 'scheduled_outreach_medium_priority'],
    [55, undefined, 'nurture_sequence_low_priority'],
  ] as const)('recommends outreach for score %i and urgency %s: %s', (score, urgency, approach) => {
    expect(recommendedApproach({ score, urgency })).toBe(approach);
  });

  it('leaves leads below 50 out of the sales briefs and lists them as disqualified', () => {
    const input = HANDOFFS.marketing_to_sales.input.parse({
      ...sampleInput('marketing_to_sales'),
      leads_generated: [
        { id: 'b', contact_info: { name: 'B', email: 'b@example.com' }, score: 60, engagement_level: 'low' },
        { id: 'a', contact_info: { name: 'A', email: 'a@example.com' }, score: 30, engagement_level: 'low' },
        { id: 'c', contact_info: { name: 'C', email: 'c@example.com' }, score: 90, engagement_level: 'high' },
      ],
    });
    const data = HANDOFFS.marketing_to_sales.transform(input) as {
      sales_briefs: Array<{ prospect_id: string }>;
      disqualified_lead_ids: string[];
    };
    expect(data.sales_briefs.map((b) => b.prospect_id)).toEqual(['c', 'b']);
    expect(data.disqualified_lead_ids).toEqual(['a']);
  });

  it('names a duplicate lead id and more clicks than impressions as rule violations', () => {
    const sample = sampleInput('marketing_to_sales') as { leads_generated: unknown[] };
    const input = HANDOFFS.marketing_to_sales.input.parse({
      ...sample,
      leads_generated: [sample.leads_generated[0], sample.leads_generated[0]],
      campaign_metrics: { impressions: 10, clicks: 11, conversion_rate: 0.1 },
    });
    expect(HANDOFFS.marketing_to_sales.rules(input).map((p) => p.path)).toEqual(['leads_generated.1.id', 'campaign_metrics.clicks']);
  });

  it.each([
    ['enterprise', 1_000, 'high'],
    ['standard', 50_000, 'high'],
    ['mid_market', 1_000, 'medium'],
    ['standard', 10_000, 'medium'],
    ['small_business', 9_999, 'low'],
  ] as const)('gives a %s client with a %i contract %s priority', (tier, value, priority) => {
    expect(workOrderPriority(tier, value)).toBe(priority);
  });

  it('scores ratings as the mean of category means on a 0–100 scale and names the sentiment band', () => {
    const scores = categoryScores({ communication: [5, 4], quality: [3] });
    expect(scores).toEqual({ communication: 4.5, quality: 3 });
    expect(satisfactionScore(scores)).toBe(75);
    expect([92, 75, 55, 35, 10].map(sentimentOf)).toEqual(['very_positive', 'positive', 'neutral', 'negative', 'very_negative']);
    expect(sentimentOf(satisfactionScore({}))).toBe('insufficient_data');
  });

  it('suggests a price increase only for excellent value and very satisfied clients, and a review for poor value', () => {
    expect(pricingAdjustment({ value_for_money: 5 }, 90).recommendation).toBe('consider_price_increase');
    expect(pricingAdjustment({ value_for_money: 5 }, 80).recommendation).toBe('maintain_pricing');
    expect(pricingAdjustment({ value_for_money: 3 }, 60).recommendation).toBe('review_pricing');
  });

  it('refuses feedback for a project with deliverables still in progress, naming the deliverable', () => {
    const sample = sampleInput('fulfillment_to_feedback') as { deliverables_status: Array<Record<string, unknown>> };
    sample.deliverables_status.push({ name: 'SEO', status: 'in_progress' });
    const input = HANDOFFS.fulfillment_to_feedback.input.parse(sample);
    expect(HANDOFFS.fulfillment_to_feedback.rules(input)).toEqual([
      { path: 'deliverables_status.1.status', message: '"SEO" is in_progress: the project is not finished' },
    ]);
  });

  it('checksums handoff data independently of key order', () => {
    expect(checksumOf({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(checksumOf({ b: [{ d: 3, c: 2 }], a: 1 }));
    expect(checksumOf({ a: 1 })).not.toBe(checksumOf({ a: 2 }));
  });
});
