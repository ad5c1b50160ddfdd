import { mean, uniqueTexts } from './common.ts';

/** Rated categories that describe the work itself (overall satisfaction sums them up, it names no strength). */
const AREAS = ['communication', 'quality', 'timeliness', 'value_for_money'] as const;
type Area = (typeof AREAS)[number];

const STRENGTH: Record<Area, string> = {
  communication: 'Strong communication',
  quality: 'High quality deliverables',
  timeliness: 'On-time delivery',
  value_for_money: 'Strong value for money',
};
const IMPROVEMENT: Record<Area, string> = {
  communication: 'Improve communication cadence',
  quality: 'Strengthen quality assurance',
  timeliness: 'Optimize delivery timelines',
  value_for_money: 'Review pricing and value',
};
/** What the agency changes in its service for each improvement area. */
const ADJUSTMENT: Record<string, string> = {
  [IMPROVEMENT.communication]: 'Weekly status updates with one named contact',
  [IMPROVEMENT.quality]: 'A QA review before every deliverable handover',
  [IMPROVEMENT.timeliness]: 'Schedule buffers and parallel workstreams in delivery plans',
  [IMPROVEMENT.value_for_money]: 'Clearer package scopes and a lighter entry tier',
};

/** Free-text cues, matched case-insensitively; the first matching rule names the theme. */
const STRENGTH_CUES: Array<[RegExp, string]> = [
  [/communicat|responsive/i, STRENGTH.communication],
  [/professional|team|expert/i, 'Professional, expert team'],
  [/quality|polish|design/i, STRENGTH.quality],
  [/on time|fast|quick|timely/i, STRENGTH.timeliness],
];
const IMPROVEMENT_CUES: Array<[RegExp, string]> = [
  [/faster|turnaround|deadline|delay|slow|time/i, IMPROVEMENT.timeliness],
  [/communicat|update|respon/i, IMPROVEMENT.communication],
  [/quality|bug|error|defect/i, IMPROVEMENT.quality],
  [/price|cost|expensive|budget/i, IMPROVEMENT.value_for_money],
];
const OPPORTUNITY_CUES: Array<[RegExp, string]> = [
  [/support|maintenance|retainer/i, 'Ongoing support packages'],
  [/training|workshop|enablement/i, 'Training and enablement'],
  [/seo|marketing|ads|growth/i, 'Growth marketing services'],
  [/automation|\bai\b|integration/i, 'Automation and AI integration'],
  [/hosting|cloud|devops/i, 'Managed hosting'],
];
const NOTHING = /^(no|none|n\/a|nothing|-)?$/i;

/** Strengths: an area rated 4.5+ on average, then themes of what clients liked most. */
const STRENGTH_SCORE = 4.5;
/** Improvements: themes of what clients would improve, then any area rated below 4. */
const IMPROVEMENT_SCORE = 4;

export type Sentiment = 'very_positive' | 'positive' | 'neutral' | 'negative' | 'very_negative' | 'insufficient_data';
export type PricingRecommendation = 'consider_price_increase' | 'maintain_pricing' | 'review_pricing';

export interface FeedbackAnswers {
  responses: ReadonlyArray<Partial<Record<'liked_most' | 'could_improve' | 'would_recommend' | 'future_services_interest', string>>>;
  ratings: Partial<Record<string, number[]>>;
}

function themes(texts: ReadonlyArray<string | undefined>, cues: Array<[RegExp, string]>, fallback?: (text: string) => string): string[] {
  const found: string[] = [];
  for (const text of texts) {
    if (text === undefined || NOTHING.test(text.trim())) continue;
    const hits = cues.filter(([cue]) => cue.test(text)).map(([, theme]) => theme);
    found.push(...(hits.length || !fallback ? hits : [fallback(text.trim())]));
  }
  return found;
}

/** Average rating per category that has ratings, rounded to 2 decimals. */
export function categoryScores(ratings: FeedbackAnswers['ratings']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [category, values] of Object.entries(ratings)) {
    const m = mean(values ?? []);
    if (m !== undefined) out[category] = Math.round(m * 100) / 100;
  }
  return out;
}

/** 0–100: the mean of the category means on the 1–5 scale, as a percentage of 5 (4.6 → 92). */
export function satisfactionScore(scores: Record<string, number>): number | null {
  const m = mean(Object.values(scores));
  return m === undefined ? null : Math.round((m / 5) * 100);
}

export function sentimentOf(score: number | null): Sentiment {
  if (score === null) return 'insufficient_data';
  return score >= 85 ? 'very_positive' : score >= 70 ? 'positive' : score >= 50 ? 'neutral' : score >= 30 ? 'negative' : 'very_negative';
}

export function strengths(answers: FeedbackAnswers, scores: Record<string, number>): string[] {
  const rated = AREAS.filter((a) => (scores[a] ?? 0) >= STRENGTH_SCORE).map((a) => STRENGTH[a]);
  return uniqueTexts([
    ...rated,
    ...themes(
      answers.responses.map((r) => r.liked_most),
      STRENGTH_CUES,
    ),
  ]);
}

export function improvementAreas(answers: FeedbackAnswers, scores: Record<string, number>): string[] {
  const said = themes(
    answers.responses.map((r) => r.could_improve),
    IMPROVEMENT_CUES,
  );
  const rated = AREAS.filter((a) => scores[a] !== undefined && scores[a] < IMPROVEMENT_SCORE).map((a) => IMPROVEMENT[a]);
  return uniqueTexts([...said, ...rated]);
}

export function serviceAdjustments(areas: readonly string[]): string[] {
  return areas.map((area) => ADJUSTMENT[area] ?? `Address: ${area}`);
}

/** What clients asked for next, as service lines; unknown wishes are kept in the client's words. */
export function newServiceOpportunities(answers: FeedbackAnswers): string[] {
  const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
  return uniqueTexts(
    themes(
      answers.responses.map((r) => r.future_services_interest),
      OPPORTUNITY_CUES,
      capitalize,
    ),
  );
}

/** Share of respondents who would recommend the agency (null when nobody answered). */
export function recommendRate(answers: FeedbackAnswers): number | null {
  const said = answers.responses.map((r) => r.would_recommend?.trim().toLowerCase()).filter((a): a is string => !!a);
  return said.length ? Math.round((said.filter((a) => a === 'yes').length / said.length) * 100) / 100 : null;
}

/** Raise prices only when clients find the value excellent and are very satisfied; revisit them when value rates poorly. */
export function pricingAdjustment(
  scores: Record<string, number>,
  score: number | null,
): { recommendation: PricingRecommendation; value_for_money_score: number | null; rationale: string } {
  const value = scores['value_for_money'];
  if (value === undefined)
    return { recommendation: 'maintain_pricing', value_for_money_score: null, rationale: 'value for money was not rated' };
  if (value >= STRENGTH_SCORE && score !== null && score >= 85) {
    return {
      recommendation: 'consider_price_increase',
      value_for_money_score: value,
      rationale: 'value rated excellent by very satisfied clients',
    };
  }
  if (value < 3.5)
    return { recommendation: 'review_pricing', value_for_money_score: value, rationale: 'clients doubt the value for money' };
  return { recommendation: 'maintain_pricing', value_for_money_score: value, rationale: 'value for money rated acceptable' };
}
