import { SquadflowError } from '@squadflow/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FeedbackToOfferOutputSchema,
  FulfillmentToFeedbackOutputSchema,
  HANDOFF_CHAIN,
  MarketingToSalesOutputSchema,
  OfferToMarketingOutputSchema,
  SalesToFulfillmentOutputSchema,
} from '@squadflow/squads/catalog';
import { sampleInput, startAgency, type AgencyEnvironment } from './environment.ts';

let env: AgencyEnvironment;
beforeAll(async () => {
  env = await startAgency();
});
afterAll(() => env?.close());

/** Runs a handoff on its sample input and returns the completed output. */
async function runSample(name: (typeof HANDOFF_CHAIN)[number]): Promise<unknown> {
  const view = await env.run(name, sampleInput(name));
  expect(view.error).toBeUndefined();
  expect(view.status).toBe('completed');
  expect(view.steps.map((s) => [s.name, s.status])).toEqual([
    ['validate_input', 'completed'],
    ['transform_data', 'completed'],
    ['create_handoff_package', 'completed'],
    ['execute_handoff', 'completed'],
  ]);
  expect((view.output as { workflow_id: string }).workflow_id).toBe(`${name}_${view.executionId}`);
  return view.output;
}

describe('agency handoff workflows (seed 001) on the in-memory adapters', () => {
  it('offer_to_marketing turns the sample offer into the seed marketing brief', async () => {
    const out = OfferToMarketingOutputSchema.parse(await runSample('offer_to_marketing'));
    expect(out.success).toBe(true);
    expect(out.next_step).toBe('marketing_campaign_creation');
    expect(out.handoff_data.marketing_brief).toMatchObject({
      campaign_name: 'Widget Pro_launch',
      target_audience: 'Tech professionals aged 25-45',
      key_messages: ['AI-powered automation', '24/7 customer support', 'Money-back guarantee'],
      budget_allocation: '$10,000',
    });
    expect(out.handoff_data.marketing_brief.campaign_objectives[0]).toBe('Build awareness');
  });

  it('marketing_to_sales qualifies the sample lead for immediate high-priority outreach', async () => {
    const out = MarketingToSalesOutputSchema.parse(await runSample('marketing_to_sales'));
    expect(out.next_step).toBe('sales_engagement');
    expect(out.handoff_data.qualified_leads_count).toBe(1);
    expect(out.handoff_data.sales_briefs).toHaveLength(1);
    expect(out.handoff_data.sales_briefs[0]).toMatchObject({
      prospect_id: 'lead_001',
      qualification_score: 85,
      recommended_approach: 'immediate_outreach_high_priority',
    });
    expect(out.handoff_data.sales_briefs[0]!.key_talking_points).toContain('Pain point: manual processes');
    expect(out.handoff_data.sales_briefs[0]!.next_actions.length).toBeGreaterThan(0);
  });

  it('sales_to_fulfillment turns the closed deal into a high-priority work order with a milestone per deliverable', async () => {
    const out = SalesToFulfillmentOutputSchema.parse(await runSample('sales_to_fulfillment'));
    const order = out.handoff_data.work_order;
    expect(out.next_step).toBe('project_initiation');
    expect(order.work_order_id).toBe('WO_deal_123_20250201');
    expect(order).toMatchObject({ priority: 'high', status: 'pending_assignment' });
    expect(order.client_info.company_name).toBe('Tech Corp');
    expect(order.requirements.deliverables.map((d) => d.name)).toEqual(['Website Design']);
    expect(order.requirements.milestones).toEqual([
      { name: 'Website Design complete', deliverable: 'Website Design', due_date: '2025-02-11', estimated_hours: 80 },
    ]);
    expect(order.requirements.resource_requirements).toMatchObject({ total_estimated_hours: 80, total_estimated_days: 10 });
  });

  it('fulfillment_to_feedback prepares a feedback request whose questions and categories feedback_to_offer reads', async () => {
    const out = FulfillmentToFeedbackOutputSchema.parse(await runSample('fulfillment_to_feedback'));
    const request = out.handoff_data.feedback_request;
    expect(out.next_step).toBe('feedback_collection');
    expect(request.request_id).toBe('FR_proj_123_20250215');
    expect(request.feedback_questions.map((q) => q.id)).toEqual([
      'liked_most',
      'could_improve',
      'would_recommend',
      'future_services_interest',
    ]);
    expect(request.rating_categories).toEqual(['overall_satisfaction', 'communication', 'timeliness', 'quality', 'value_for_money']);
    expect(request.collection_methods).toEqual(['email_survey', 'follow_up_call']);
    expect(request.project_summary.duration_days).toBe(14);
  });

  it('feedback_to_offer scores the sample feedback 92, very positive, with the seed strengths and recommendations', async () => {
    const out = FeedbackToOfferOutputSchema.parse(await runSample('feedback_to_offer'));
    const { feedback_analysis: analysis, recommendations } = out.handoff_data;
    expect(out.next_step).toBe('offer_refinement');
    expect(analysis).toMatchObject({ overall_sentiment: 'very_positive', client_satisfaction_score: 92 });
    expect(analysis.key_strengths[0]).toBe('Strong communication');
    expect(analysis.improvement_areas).toEqual(['Optimize delivery timelines']);
    expect(recommendations.new_service_opportunities).toEqual(['Ongoing support packages']);
    expect(recommendations.pricing_adjustments.recommendation).toBe('maintain_pricing');
    expect(recommendations.service_adjustments).toHaveLength(1);
  });
});

describe('agency handoff inputs', () => {
  it.each([
    ['offer_to_marketing', 'product_name'],
    ['marketing_to_sales', 'campaign_metrics'],
    ['sales_to_fulfillment', 'deal_id'],
    ['fulfillment_to_feedback', 'deliverables_status'],
    ['feedback_to_offer', 'feedback_id'],
  ] as const)('%s rejects an input without %s at trigger time, naming the field', async (name, field) => {
    const input = sampleInput(name);
    delete input[field];
    const err = await env.client.trigger(name, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).code).toBe('INVALID_CONTEXT');
    expect((err as SquadflowError).issues).toContainEqual({ path: `context.${field}`, message: 'Required' });
  });

  it('rejects a wrongly typed nested field with its path', async () => {
    const input = sampleInput('marketing_to_sales');
    (input['leads_generated'] as Array<Record<string, unknown>>)[0]!['score'] = 'high';
    const err = (await env.client.trigger('marketing_to_sales', input).catch((e: unknown) => e)) as SquadflowError;
    expect(err.code).toBe('INVALID_CONTEXT');
    expect(err.issues.map((i) => i.path)).toContain('context.leads_generated.0.score');
  });

  it('fails a deal that is not closed_won at validate_input, without retrying, naming status', async () => {
    const view = await env.run('sales_to_fulfillment', { ...sampleInput('sales_to_fulfillment'), status: 'negotiation' });
    expect(view.status).toBe('failed');
    const validate = view.steps.find((s) => s.name === 'validate_input')!;
    expect(validate.attempts).toHaveLength(1);
    expect(validate.error).toMatchObject({ code: 'INVALID_HANDOFF_INPUT', retryable: false });
    expect(validate.error?.message).toContain('status: only closed_won deals go to fulfillment');
    expect(view.steps.find((s) => s.name === 'transform_data')?.status).not.toBe('completed');
  });
});
