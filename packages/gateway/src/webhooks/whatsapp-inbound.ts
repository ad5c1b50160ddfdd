/**
 * What an inbound WhatsApp message becomes. If a conversation waits on the
 * sender's key (`ai_conversation_<phone digits>`, the wait of
 * `lead_conversation`), the message is a signal to it; otherwise it starts
 * the conversation workflow. Either way it happens once per message id
 * (see ledger.ts).
 */
import type { EngineClient } from '@squadflow/engine';
import { performPlan, type DeliveryLedger, type DeliveryOutcome, type DeliveryPlan } from './ledger.ts';
import { isMedia, type InboundMessage } from './whatsapp-payload.ts';

/** The correlation key a conversation with `phone` waits on (Meta's `from` is already digits only). */
export const conversationKey = (phone: string): string => `ai_conversation_${phone.replace(/\D/g, '')}`;

/** The signal data / trigger message of one inbound message: text, or the media id (with the caption as text). */
export function messageContent(m: InboundMessage['message']): { type: string; text?: string; media_id?: string } | null {
  if (m.type === 'text' && m.text) return { type: m.type, text: m.text.body };
  if (isMedia(m.type)) {
    const media = m[m.type];
    if (!media) return null;
    return { type: m.type, media_id: media.id, ...(media.caption ? { text: media.caption } : {}) };
  }
  return null;
}

export type InboundResult = 'signalled' | 'triggered' | 'duplicate' | 'ignored';

/** Routes one inbound message; types other than text and media are acknowledged and ignored. */
export async function routeInbound(
  client: EngineClient,
  ledger: DeliveryLedger,
  workflow: string,
  inbound: InboundMessage,
): Promise<{ result: InboundResult; outcome?: DeliveryOutcome }> {
  const { message, name } = inbound;
  const content = messageContent(message);
  if (!content) return { result: 'ignored' };
  const key = conversationKey(message.from);
  const decide = async (): Promise<DeliveryPlan> => {
    if (await client.isWaiting(key)) {
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
      idempotencyKey: `whatsapp:${message.id}`,
      context: { phone_number: message.from, ...(name ? { name } : {}), message: { id: message.id, ...content } },
    };
  };
  const outcome = await ledger.once(message.id, decide, (plan) => performPlan(client, plan));
  if (outcome.duplicate) return { result: 'duplicate', outcome };
  return { result: outcome.plan.action === 'signal' ? 'signalled' : 'triggered', outcome };
}
