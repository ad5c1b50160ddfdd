import { z } from 'zod';
import type { ActionContext } from '../../action.ts';
import type { OutgoingMessage, WhatsAppClient } from './client.ts';

/** What every send action returns; later steps read `message_id` and `to` (E.164 digits). */
export const SentOutput = z.object({
  message_id: z.string(),
  to: z.string(),
  channel: z.enum(['outbox', 'cloud_api']),
});

export { optionalText } from '../common/schemas.ts';

/** A phone number in any common format; it is normalised (and checked) when sent. */
export const Phone = z.string().min(1);

/** Sends through the client with the command's idempotency key and deadline signal. */
export async function send(client: WhatsAppClient, message: OutgoingMessage, ctx: ActionContext): Promise<z.output<typeof SentOutput>> {
  const sent = await client.send(message, { idempotencyKey: ctx.idempotencyKey, signal: ctx.signal });
  ctx.logger.info({ messageId: sent.messageId, channel: sent.channel, purpose: message.purpose }, 'whatsapp message sent');
  return { message_id: sent.messageId, to: sent.to, channel: sent.channel };
}
