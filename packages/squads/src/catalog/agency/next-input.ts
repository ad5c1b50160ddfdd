import type { HandoffName } from './common.ts';

/*
 * How a completed handoff's output becomes the next handoff's input, as
 * JSONata over `$output` (the execution's output: `{ success, workflow_id,
 * handoff_data, next_step }`). Between two handoffs the target domain does
 * its own work (runs the campaign, closes the deal, delivers, collects
 * answers); a chain that runs them back to back stands in for that work
 * as stated below, and says so in the data rather than inventing results:
 *
 * - offer → marketing → sales: the campaign has not run, so it stands in
 *   one simulated lead: a prospect of the brief's target audience, warm
 *   (score 65), interested in its key messages, named and addressed as a
 *   stand-in (`Simulated prospect`, an `example.com` address), with zero
 *   campaign metrics. Only a real campaign has real leads.
 * - marketing → sales → fulfillment: the best-qualified prospect's deal, as
 *   sales would close it (a discovery engagement sized by the lead's budget
 *   indicator, starting today), payment still `pending`. No prospect: nothing.
 * - sales → fulfillment → feedback: the work order delivered as planned
 *   (each deliverable completed on its milestone date and approved).
 * - fulfillment → feedback → offer: the request's ids with no answers yet
 *   (only the client has them), so the analysis reports `insufficient_data`
 *   and finds no new service: a chain begun at the offer ends at feedback → offer.
 * - feedback → offer → marketing: the first new service opportunity as an
 *   offer to existing clients, sold on their strengths. No opportunity: nothing.
 *
 * "Nothing" means the expression is undefined, and `handoffNextWhen` is false:
 * the chain stops there instead of starting a handoff that has nothing to carry.
 */

const marketingBriefToCampaignResults = `(
  $brief := $output.handoff_data.marketing_brief;
  {
    "campaign_id": "camp_" & $output.workflow_id,
    "campaign_name": $brief.campaign_name,
    "leads_generated": [{
      "id": "lead_sim_" & $output.workflow_id,
      "contact_info": {
        "name": "Simulated prospect (" & $brief.target_audience & ")",
        "email": "prospect@example.com",
        "company": "Simulated prospect"
      },
      "score": 65,
      "engagement_level": "medium",
      "interests": [$brief.key_messages],
      "pain_points": [],
      "budget_indicator": "medium",
      "urgency": "medium"
    }],
    "campaign_metrics": { "impressions": 0, "clicks": 0, "conversion_rate": 0 }
  }
)`;

const salesBriefToDeal = `(
  $b := $output.handoff_data.sales_briefs[0];
  $budget := $b.budget_indicator ? $b.budget_indicator : "low";
  $day := 86400000;
  $date := function($ms) { $fromMillis($ms, "[Y0001]-[M01]-[D01]") };
  $b ? {
    "deal_id": "deal_" & $b.prospect_id,
    "status": "closed_won",
    "client_info": {
      "company_name": $b.contact_info.company ? $b.contact_info.company : $b.contact_info.name,
      "primary_contact": { "name": $b.contact_info.name, "email": $b.contact_info.email },
      "tier": $lookup({ "high": "enterprise", "medium": "mid_market", "low": "small_business" }, $budget)
    },
    "service_package": {
      "type": "consulting",
      "deliverables": [
        { "name": "Discovery workshop", "description": "Scope the engagement with " & $b.contact_info.name, "estimated_days": 5, "estimated_hours": 40 },
        { "name": "Solution delivery", "description": "Solution for " & $join($b.interests, ", "), "estimated_days": 20, "estimated_hours": 160 }
      ],
      "timeline": { "start_date": $date($millis()), "end_date": $date($millis() + 25 * $day) }
    },
    "contract_terms": {
      "total_value": $lookup({ "high": 50000, "medium": 20000, "low": 5000 }, $budget),
      "payment_schedule": ["50% upfront", "50% on completion"]
    },
    "payment_status": "pending"
  }
)`;

const workOrderToDeliveredProject = `(
  $wo := $output.handoff_data.work_order;
  {
    "project_id": "proj_" & $wo.deal_id,
    "work_order_id": $wo.work_order_id,
    "project_name": $wo.project_name,
    "client_info": { "company_name": $wo.client_info.company_name, "primary_contact": $wo.client_info.primary_contact },
    "deliverables_status": [$wo.requirements.milestones.{
      "name": deliverable,
      "status": "completed",
      "completed_date": due_date & "T00:00:00Z",
      "client_approved": true
    }],
    "start_date": $wo.timeline.start_date & "T00:00:00Z",
    "completion_date": $wo.timeline.end_date & "T00:00:00Z",
    "contract_value": $wo.contract_value
  }
)`;

const feedbackRequestToFeedback = `{
  "feedback_id": $output.handoff_data.feedback_request.request_id,
  "project_id": $output.handoff_data.feedback_request.project_id,
  "responses": [],
  "ratings": {}
}`;

const recommendationsToOffer = `(
  $d := $output.handoff_data;
  $opportunity := $d.recommendations.new_service_opportunities[0];
  $strengths := [$d.feedback_analysis.key_strengths];
  $opportunity ? {
    "product_name": $opportunity,
    "target_audience": "Existing clients (project " & $d.project_id & ")",
    "value_proposition": $count($strengths) > 0
      ? "Builds on what clients value: " & $join($strengths, ", ")
      : "Extends the services clients already use",
    "pricing_tier": $d.recommendations.pricing_adjustments.recommendation = "consider_price_increase" ? "Premium" : "Standard",
    "unique_selling_points": $count($strengths) > 0 ? $strengths : [$opportunity]
  }
)`;

/** For each handoff, the JSONata expression (over `$output`) giving the next handoff's input. */
export const handoffNextInput: Readonly<Record<HandoffName, string>> = {
  offer_to_marketing: marketingBriefToCampaignResults,
  marketing_to_sales: salesBriefToDeal,
  sales_to_fulfillment: workOrderToDeliveredProject,
  fulfillment_to_feedback: feedbackRequestToFeedback,
  feedback_to_offer: recommendationsToOffer,
};

/** For each handoff, the condition (over `$output`) under which the next one starts: it has something to carry. */
export const handoffNextWhen: Readonly<Record<HandoffName, string>> = {
  offer_to_marketing: '$output.success = true',
  marketing_to_sales: '$output.success = true and $count($output.handoff_data.sales_briefs) > 0',
  sales_to_fulfillment: '$output.success = true',
  fulfillment_to_feedback: '$output.success = true',
  feedback_to_offer: '$output.success = true and $count($output.handoff_data.recommendations.new_service_opportunities) > 0',
};

/** For each handoff, why a chain stops after it when `handoffNextWhen` is false (shown in `next_handoff.detail`). */
export const handoffStopReason: Readonly<Record<HandoffName, string>> = {
  offer_to_marketing: 'the marketing brief was not delivered',
  marketing_to_sales: 'no lead qualified: there is no deal to hand to fulfillment',
  sales_to_fulfillment: 'the work order was not delivered',
  fulfillment_to_feedback: 'the feedback request was not delivered',
  feedback_to_offer: 'the feedback names no new service to offer (no client answers yet, or none asked for one)',
};
