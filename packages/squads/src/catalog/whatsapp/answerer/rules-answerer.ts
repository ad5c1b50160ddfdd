import { answerFor } from '../answer-rules.ts';
import type { AnswerRequest, AnswerResult, Answerer } from './answerer.ts';

/** The keyword rules of answer-rules.ts behind the answerer port: deterministic, instant, free. */
export class RulesAnswerer implements Answerer {
  readonly kind = 'rules' as const;

  answer(request: AnswerRequest): Promise<AnswerResult> {
    return Promise.resolve(rulesAnswer(request));
  }
}

/** The rules' answer to a request, marked `answered_by: "rules"`. */
export function rulesAnswer(request: AnswerRequest, fallbackReason?: string): AnswerResult {
  const { reply, intent, handoff } = answerFor(request.message ?? undefined, request.name);
  return { reply, intent, handoff, answered_by: 'rules', ...(fallbackReason === undefined ? {} : { fallback_reason: fallbackReason }) };
}
