/**
 * What an inbound WhatsApp message becomes. If a conversation waits on the
 * sender's key (`ai_conversation_<phone digits>`, the wait of
 * `lead_conversation`), or runs between two waits (its answer step not done:
 * the engine buffers the signal until the wait is armed), the message is a
 * signal to it; otherwise it starts the conversation workflow. Either way it
 * happens once per message id (see ledger.ts).
 */
import type { EngineClient } from '@squadflow/engine';
import { executionIdFor } from '@squadflow/shared';
import { performPlan, type DeliveryLedger, type DeliveryOutcome, type DeliveryPlan } from './ledger.ts';
import type { ConversationPointers } from './whatsapp-conversations.ts';
import { isMedia, type InboundMessage } from './whatsapp-payload.ts';

/** The correlation key a conversation with `phone` waits on (Meta's `from` is already digits only). */
export const conversationKey = (phone: string): string => `ai_conversation_${phone.replace(/\D/g, '')}`;

/** What the conversation sees of one inbound message. */
export interface MessageContent {
  type: string;
  text?: string;
  media_id?: string;
  /** A button's payload, or the id of the reply button / list row tapped. */
  payload?: string;
}

/**
 * The signal data / trigger message of one inbound message: text; the media
 * id (with the caption as text); a template button's label as text with its
 * payload; an interactive reply's title as text with its id as payload.
 * Null for types the conversation does not take (location, reaction, ...).
 */
export function messageContent(m: InboundMessage['message']): MessageContent | null {
  if (m.type === 'text' && m.text) return { type: m.type, text: m.text.body };
  if (m.type === 'button' && m.button) {
    return { type: m.type, text: m.button.text, ...(m.button.payload ? { payload: m.button.payload } : {}) };
  }
  if (m.type === 'interactive' && m.interactive) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    return reply ? { type: m.type, text: reply.title, payload: reply.id } : null;
  }
  if (isMedia(m.type)) {
    const media = m[m.type];
    if (!media) return null;
    return { type: m.type, media_id: media.id, ...(media.caption ? { text: media.caption } : {}) };
  }
  return null;
}

export type InboundResult = 'signalled' | 'triggered' | 'duplicate' | 'ignored';

/** Routes one inbound message; types the conversation does not take are acknowledged and ignored. */
export async function routeInbound(
  client: EngineClient,
  ledger: DeliveryLedger,
  conversations: ConversationPointers,
  workflow: string,
  inbound: InboundMessage,
): Promise<{ result: InboundResult; outcome?: DeliveryOutcome }> {
  const { message, name } = inbound;
  const content = messageContent(message);
  if (!content) return { result: 'ignored' };
  const key = conversationKey(message.from);
  const idempotencyKey = `whatsapp:${message.id}`;
  const decide = async (): Promise<DeliveryPlan> => {
    const running =
      (await client.isWaiting(key)) ||
      (await conversations.route(message.from, workflow, executionIdFor(workflow, idempotencyKey))) === 'signal';
    if (running) {
      return {
        action: 'signal',
        key,
        signalId: message.id,
        data: { message_id: message.id, from: message.from, ...content, timestamp: message.timestamp },
      };
    }
    return {
      action: 'trigger',
      workflow,
      idempotencyKey,
      context: { phone_number: message.from, ...(name ? { name } : {}), message: { id: message.id, ...content } },
    };
  };
  const outcome = await ledger.once(message.id, decide, (plan) => performPlan(client, plan));
  if (outcome.duplicate) return { result: 'duplicate', outcome };
  return { result: outcome.plan.action === 'signal' ? 'signalled' : 'triggered', outcome };
}
