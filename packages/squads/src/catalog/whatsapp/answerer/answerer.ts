import { z } from 'zod';
import type { ActionContext } from '../../../action.ts';
import type { Intent } from '../answer-rules.ts';
import { TokenUsageSchema } from './chat-completions-client.ts';

/** The inbound message to answer, as `answer_message` received it. */
export interface AnswerRequest {
  phone: string;
  name?: string | undefined;
  message?: { text?: string | undefined; media_id?: string | undefined } | undefined;
}

/**
 * Which answerer wrote the reply, recorded in `answer_message`'s output:
 * `answered_by`, the model and its token usage for a model's reply, and why
 * the rules answered when a model is configured (`fallback_reason`).
 */
export const AnswerProvenanceSchema = z.object({
  answered_by: z.enum(['rules', 'llm']),
  model: z.string().optional(),
  usage: TokenUsageSchema.optional(),
  fallback_reason: z.string().optional(),
});
export type AnswerProvenance = z.output<typeof AnswerProvenanceSchema>;

/** A reply to send, with the intent and handoff the workflow branches on. */
export interface AnswerResult extends AnswerProvenance {
  reply: string;
  intent: Intent;
  handoff: boolean;
}

/** The parts of the step's context an answerer uses: its deadline, signal, ids (for the turn id) and logger. */
export type AnswerContext = Pick<ActionContext, 'signal' | 'deadline' | 'executionId' | 'step' | 'logger'>;

/**
 * The port behind `answer_message`: something that chooses the reply to one
 * inbound message. Two adapters: `RulesAnswerer` (keywords, no outside call;
 * the default) and `LlmAnswerer` (an OpenAI-compatible chat-completions API
 * with the phone's history). Chosen from the environment by `selectAnswerer`.
 */
export interface Answerer {
  readonly kind: 'rules' | 'llm';
  answer(request: AnswerRequest, ctx: AnswerContext): Promise<AnswerResult>;
}
