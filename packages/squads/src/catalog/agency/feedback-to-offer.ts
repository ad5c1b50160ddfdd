import { z } from 'zod';
import { handoffOutputSchema, type FieldProblem, type Handoff } from './common.ts';
import {
  categoryScores,
  improvementAreas,
  newServiceOpportunities,
  pricingAdjustment,
  recommendRate,
  satisfactionScore,
  sentimentOf,
  serviceAdjustments,
  strengths,
} from './feedback-analysis.ts';

const rating = z.array(z.number().int().min(1).max(5));

/** One client's answers to the feedback request's questions (ids from fulfillment_to_feedback). */
export const FeedbackResponseSchema = z.object({
  liked_most: z.string().optional(),
  could_improve: z.string().optional(),
  would_recommend: z.string().optional(),
  future_services_interest: z.string().optional(),
});

/** Collected feedback, as the feedback domain hands it back to the offer (seed 001, workflow 5). */
export const FeedbackToOfferInputSchema = z.object({
  feedback_id: z.string().trim().min(1),
  project_id: z.string().trim().min(1),
  responses: z.array(FeedbackResponseSchema).default([]),
  ratings: z
    .object({
      overall_satisfaction: rating.optional(),
      communication: rating.optional(),
      timeliness: rating.optional(),
      quality: rating.optional(),
      value_for_money: rating.optional(),
    })
    .default({}),
});
export type FeedbackToOfferInput = z.output<typeof FeedbackToOfferInputSchema>;

export const FeedbackAnalysisSchema = z.object({
  overall_sentiment: z.enum(['very_positive', 'positive', 'neutral', 'negative', 'very_negative', 'insufficient_data']),
  client_satisfaction_score: z.number().min(0).max(100).nullable(),
  category_scores: z.record(z.string(), z.number()),
  key_strengths: z.array(z.string()),
  improvement_areas: z.array(z.string()),
  would_recommend_rate: z.number().nullable(),
  responses_count: z.number().int().min(0),
});

export const OfferRecommendationsSchema = z.object({
  service_adjustments: z.array(z.string()),
  pricing_adjustments: z.object({
    recommendation: z.enum(['consider_price_increase', 'maintain_pricing', 'review_pricing']),
    value_for_money_score: z.number().nullable(),
    rationale: z.string(),
  }),
  new_service_opportunities: z.array(z.string()),
});

export const FeedbackToOfferDataSchema = z.object({
  feedback_id: z.string(),
  project_id: z.string(),
  feedback_analysis: FeedbackAnalysisSchema,
  recommendations: OfferRecommendationsSchema,
});
export const FeedbackToOfferOutputSchema = handoffOutputSchema(FeedbackToOfferDataSchema, 'offer_refinement');
export type FeedbackToOfferOutput = z.output<typeof FeedbackToOfferOutputSchema>;

export function toOfferRecommendations(input: FeedbackToOfferInput): z.output<typeof FeedbackToOfferDataSchema> {
  const scores = categoryScores(input.ratings);
  const score = satisfactionScore(scores);
  const areas = improvementAreas(input, scores);
  return {
    feedback_id: input.feedback_id,
    project_id: input.project_id,
    feedback_analysis: {
      overall_sentiment: sentimentOf(score),
      client_satisfaction_score: score,
      category_scores: scores,
      key_strengths: strengths(input, scores),
      improvement_areas: areas,
      would_recommend_rate: recommendRate(input),
      responses_count: input.responses.length,
    },
    recommendations: {
      service_adjustments: serviceAdjustments(areas),
      pricing_adjustments: pricingAdjustment(scores, score),
      new_service_opportunities: newServiceOpportunities(input),
    },
  };
}

function rules(input: FeedbackToOfferInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  input.responses.forEach((r, i) => {
    const answer = r.would_recommend?.trim().toLowerCase();
    if (answer !== undefined && !['yes', 'no', 'maybe'].includes(answer)) {
      problems.push({ path: `responses.${i}.would_recommend`, message: `expected yes, no or maybe (got "${r.would_recommend}")` });
    }
  });
  return problems;
}

/** Feedback → Offer: analyses client feedback into offer improvement recommendations. */
export const feedbackToOffer: Handoff<FeedbackToOfferInput, z.output<typeof FeedbackToOfferDataSchema>> = {
  name: 'feedback_to_offer',
  description: 'Analyses client feedback into offer improvement recommendations',
  sourceDomain: 'feedback',
  targetDomain: 'offer',
  nextStep: 'offer_refinement',
  input: FeedbackToOfferInputSchema,
  data: FeedbackToOfferDataSchema,
  rules,
  transform: toOfferRecommendations,
};
