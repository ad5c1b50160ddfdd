import { z } from 'zod';
import { catalogAction } from '../common/action.ts';
import { AnswerProvenanceSchema, RulesAnswerer, type Answerer } from './answerer/index.ts';
import type { WhatsAppClient } from './client.ts';
import { optionalText, Phone, send, SentOutput } from './send.ts';
import { reminderText } from './texts.ts';

export interface ConversationDeps {
  client: WhatsAppClient;
  /** Approved template sent by `send_template` when the input names none (default `lead_activation`). */
  activationTemplate?: string;
  /** Its language code (default `pt_BR`). */
  templateLanguage?: string;
  /** Who writes `answer_message`'s replies (default: the keyword rules; see `selectAnswerer`). */
  answerer?: Answerer;
}

/** Seed 004's conversation: an activation template, instant answers, a reminder after inactivity. */
export function conversationActions(deps: ConversationDeps) {
  const answerer = deps.answerer ?? new RulesAnswerer();
  return {
    /** Sends an approved template (the lead activation template by default). */
    send_template: catalogAction({
      description:
        'Sends an approved WhatsApp template (default: the lead activation template). Input: { phone_number, template?, language?, parameters? }.',
      input: z.object({
        phone_number: Phone,
        template: z.string().min(1).optional(),
        language: z.string().min(2).optional(),
        /** Body parameters `{{1}}`, `{{2}}`...: only when the template declares them (Meta rejects extra ones). */
        parameters: z.array(z.string()).optional(),
      }),
      output: SentOutput.extend({ template: z.string() }),
      async handler(input, ctx) {
        const name = input.template ?? deps.activationTemplate ?? 'lead_activation';
        const template = {
          name,
          language: input.language ?? deps.templateLanguage ?? 'pt_BR',
          ...(input.parameters ? { parameters: input.parameters } : {}),
        };
        const sent = await send(deps.client, { to: input.phone_number, type: 'template', template, purpose: 'template' }, ctx);
        return { ...sent, template: name };
      },
    }),
    /** Answers an inbound text or media message at once (rules or a model, per `deps.answerer`); `handoff` asks for a person. */
    answer_message: catalogAction({
      description:
        'Answers an inbound message (text or media) at once, with the keyword rules or a model (docs/llm.md). Input: the conversation context. Output: intent and handoff for branching, answered_by (and model, usage, fallback_reason).',
      input: z.object({
        phone_number: Phone,
        name: optionalText,
        // `type` and `payload`: a tap on a template button (`button`) or a reply button / list row (`interactive`).
        message: z.object({ type: optionalText, text: optionalText, media_id: optionalText, payload: optionalText }).nullish(),
      }),
      output: SentOutput.extend({
        text: z.string(),
        intent: z.enum(['opt_out', 'human', 'media', 'pricing', 'activation', 'thanks', 'greeting', 'unknown']),
        handoff: z.boolean(),
      }).extend(AnswerProvenanceSchema.shape),
      async handler(input, ctx) {
        const { reply, ...answer } = await answerer.answer(
          { phone: input.phone_number, name: input.name, message: input.message ?? undefined },
          ctx,
        );
        const sent = await send(
          deps.client,
          { to: input.phone_number, type: 'text', text: reply, purpose: `answer_${answer.intent}` },
          ctx,
        );
        return { ...sent, text: reply, ...answer };
      },
    }),
    /** Nudges a lead who went quiet (the conversation's 2-hour inactivity timeout). */
    send_reminder_message: catalogAction({
      description:
        'Sends the inactivity reminder to a lead who stopped answering. Input: the conversation context ({ phone_number, name }).',
      input: z.object({ phone_number: Phone, name: optionalText }),
      output: SentOutput.extend({ text: z.string() }),
      async handler(input, ctx) {
        const text = reminderText(input);
        return { ...(await send(deps.client, { to: input.phone_number, type: 'text', text, purpose: 'reminder' }, ctx)), text };
      },
    }),
  };
}
