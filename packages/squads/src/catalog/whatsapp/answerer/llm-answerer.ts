import type { Clock } from '@squadflow/transport';
import type { AnswerContext, AnswerRequest, AnswerResult, Answerer } from './answerer.ts';
import type { ChatCompletionsClient, ChatMessage } from './chat-completions-client.ts';
import type { ConversationHistory } from './conversation-history.ts';
import { LlmError } from './llm-error.ts';
import { rulesAnswer } from './rules-answerer.ts';

/**
 * Time kept back from the step's deadline for sending the reply: the model
 * gets the rest, so a slow model still leaves time to send the rules' answer.
 */
export const SEND_RESERVE_MS = 5_000;

/** WhatsApp refuses text bodies longer than 4096 characters. */
const MAX_REPLY_CHARS = 4_096;

export interface LlmAnswererDeps {
  client: ChatCompletionsClient;
  /** The system prompt's text (from `WHATSAPP_LLM_SYSTEM_PROMPT_FILE`). */
  systemPrompt: string;
  /** The phone's past exchanges; without it each message is answered alone and nothing is stored. */
  history?: ConversationHistory;
  clock: Pick<Clock, 'now'>;
}

/**
 * Replies written by a model, with the phone's last exchanges as context.
 * Decisions (docs/llm.md):
 * - intent and handoff still come from the keyword rules, so the workflow's
 *   branches never depend on a model; the model only writes the text. As it
 *   understands what the keywords do not, its replies ask for a person only
 *   when the lead did.
 * - an opt-out or a request for a person is answered by the rules without
 *   calling the model (fixed, reviewed wording), and an opt-out forgets the
 *   phone's history.
 * - a call that still fails after the client's retries falls back to the
 *   rules' answer with a `fallback_reason`: the seed promises an instant
 *   reply, which a failed step retried seconds later would not give. An abort
 *   of the step itself (deadline, shutdown) is rethrown, not hidden.
 * - the turn is stored before the reply is sent; a retried step replaces it.
 */
export class LlmAnswerer implements Answerer {
  readonly kind = 'llm' as const;

  constructor(private readonly deps: LlmAnswererDeps) {}

  async answer(request: AnswerRequest, ctx: AnswerContext): Promise<AnswerResult> {
    const rules = rulesAnswer(request);
    if (rules.intent === 'opt_out') {
      await this.deps.history?.forget(request.phone);
      return { ...rules, fallback_reason: 'RULES_OPT_OUT: opt-outs are answered by the rules' };
    }
    const user = describeMessage(request);
    const turnId = `${ctx.executionId}.${ctx.step}`;
    let result: AnswerResult;
    if (rules.intent === 'human') {
      result = { ...rules, fallback_reason: 'RULES_HUMAN: requests for a person are answered by the rules' };
    } else {
      result = await this.askModel(request, user, turnId, rules, ctx);
    }
    await this.deps.history?.append(request.phone, {
      id: turnId,
      user,
      assistant: result.reply,
      answered_by: result.answered_by,
      at: this.deps.clock.now(),
    });
    return result;
  }

  private async askModel(
    request: AnswerRequest,
    user: string,
    turnId: string,
    rules: AnswerResult,
    ctx: AnswerContext,
  ): Promise<AnswerResult> {
    // A retried step's earlier try is not history: it is this very message.
    const past = ((await this.deps.history?.turns(request.phone)) ?? []).filter((t) => t.id !== turnId);
    const messages: ChatMessage[] = [
      { role: 'system', content: this.deps.systemPrompt },
      ...(request.name?.trim() ? [{ role: 'system' as const, content: `Nome do lead: ${request.name.trim()}` }] : []),
      ...past.flatMap((t): ChatMessage[] => [
        { role: 'user', content: t.user },
        { role: 'assistant', content: t.assistant },
      ]),
      { role: 'user', content: user },
    ];
    try {
      const completion = await this.deps.client.complete(messages, { signal: ctx.signal, deadline: ctx.deadline - SEND_RESERVE_MS });
      return {
        reply: completion.content.slice(0, MAX_REPLY_CHARS),
        intent: rules.intent,
        handoff: false,
        answered_by: 'llm',
        model: completion.model,
        ...(completion.usage ? { usage: completion.usage } : {}),
      };
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      ctx.logger.warn({ code: err.code, status: err.status, attempts: err.attempts }, 'LLM answer failed; the rules answered');
      return { ...rules, fallback_reason: `${err.code}: ${err.message}` };
    }
  }
}

/**
 * The lead's message as the model reads it: the text, or a note in brackets
 * for what is not text (a file, the activation button).
 */
export function describeMessage(request: AnswerRequest): string {
  const text = request.message?.text?.trim() ?? '';
  if (request.message?.media_id) return `[O lead enviou um arquivo (imagem ou documento)]${text ? `\n${text}` : ''}`;
  return text || '[O lead tocou no botão "Ativar Perfil" da mensagem de ativação]';
}
