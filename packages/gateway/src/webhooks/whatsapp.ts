/**
 * The WhatsApp Business webhook as Meta defines it:
 * - `GET /webhooks/whatsapp`: subscription verification (`hub.mode=subscribe`,
 *   `hub.verify_token` = `WHATSAPP_VERIFY_TOKEN` → 200 with `hub.challenge`);
 * - `POST /webhooks/whatsapp`: `X-Hub-Signature-256: sha256=<hex>`, the
 *   HMAC-SHA256 of the raw body under `WHATSAPP_APP_SECRET`. The signature is
 *   checked before the body is even parsed; a bad one changes nothing.
 * Plus `GET /v1/whatsapp/statuses/{messageId}` for the delivery statuses.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { parseJson } from '../http/body.ts';
import { HttpError } from '../http/errors.ts';
import { defineRoute } from '../http/route.ts';
import { DeliveryLedger } from './ledger.ts';
import { verifyHmacSha256 } from './signature.ts';
import { ConversationPointers } from './whatsapp-conversations.ts';
import { routeInbound, type InboundResult } from './whatsapp-inbound.ts';
import { inboundMessages, statusUpdates, WhatsAppPayloadSchema } from './whatsapp-payload.ts';
import { MessageStatusSchema, WhatsAppStatusStore } from './whatsapp-statuses.ts';

const ReceiptSchema = z.object({
  received: z.number().int().describe('inbound messages in the payload'),
  signalled: z.number().int(),
  triggered: z.number().int(),
  duplicates: z.number().int().describe('replayed deliveries, already processed'),
  ignored: z.number().int().describe('message types other than text, media, button and interactive replies'),
  statuses: z.number().int(),
});

const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export function registerWhatsAppRoutes({ client, transport, names, config, routes }: GatewayDeps, ledger: DeliveryLedger): void {
  const statuses = new WhatsAppStatusStore(transport, names.buckets.whatsappStatuses);
  const conversations = new ConversationPointers(transport, names.buckets.whatsappConversations, client);
  const { whatsapp } = config;

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/webhooks/whatsapp',
      operationId: 'whatsappVerify',
      summary: "Meta's subscription verification: echoes `hub.challenge` when `hub.verify_token` matches",
      tags: ['webhooks'],
      access: 'public',
      query: z.object({
        'hub.mode': z.string().optional(),
        'hub.verify_token': z.string().optional(),
        'hub.challenge': z.string().max(256).optional(),
      }),
      responses: { 200: { description: 'the challenge, as text', contentType: 'text/plain', schema: z.string() } },
      handler: async ({ query, reply }) => {
        const token = query['hub.verify_token'];
        const ok =
          query['hub.mode'] === 'subscribe' && !!whatsapp.verifyToken && token !== undefined && sameSecret(token, whatsapp.verifyToken);
        if (!ok) throw new HttpError(403, 'FORBIDDEN', 'verification failed: wrong hub.mode or hub.verify_token');
        return reply.type('text/plain; charset=utf-8').send(query['hub.challenge'] ?? '');
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'POST',
      url: '/webhooks/whatsapp',
      operationId: 'whatsappEvents',
      summary: 'Inbound messages (signal the waiting conversation, or start one) and delivery statuses',
      description:
        'Text, media, `button` (a template quick-reply tap: text and payload) and `interactive` (`button_reply` / `list_reply`: ' +
        'title and id) messages signal `ai_conversation_<from>` when a conversation waits on it or is running between waits, ' +
        'else start `WHATSAPP_CONVERSATION_WORKFLOW`. A replayed message id is processed once. Statuses are kept per message id.',
      tags: ['webhooks'],
      access: 'signature',
      deferJson: true,
      headers: z.object({ 'X-Hub-Signature-256': z.string().optional().describe('sha256=<hex HMAC of the raw body>') }),
      body: { schema: WhatsAppPayloadSchema, required: true, validate: false },
      responses: { 200: { description: 'processed', schema: ReceiptSchema } },
      handler: async ({ headers, request }) => {
        if (!whatsapp.appSecret) throw new HttpError(503, 'NOT_CONFIGURED', 'the WhatsApp webhook is not configured (WHATSAPP_APP_SECRET)');
        const raw = request.rawBody ?? Buffer.alloc(0);
        if (!verifyHmacSha256(raw, headers['X-Hub-Signature-256'], whatsapp.appSecret, { prefix: 'sha256=' })) {
          throw new HttpError(401, 'INVALID_SIGNATURE', 'X-Hub-Signature-256 is missing or does not match the body');
        }
        const parsed = WhatsAppPayloadSchema.safeParse(parseJson(raw));
        if (!parsed.success) {
          throw new HttpError(400, 'INVALID_PAYLOAD', 'not a WhatsApp Business webhook payload', toFieldIssues(parsed.error.issues));
        }
        const receipt = { received: 0, signalled: 0, triggered: 0, duplicates: 0, ignored: 0, statuses: 0 };
        const count: Record<InboundResult, keyof typeof receipt> = {
          signalled: 'signalled',
          triggered: 'triggered',
          duplicate: 'duplicates',
          ignored: 'ignored',
        };
        // One at a time: two messages of one sender must reach the conversation in order.
        for (const inbound of inboundMessages(parsed.data)) {
          receipt.received++;
          const { result } = await routeInbound(client, ledger, conversations, whatsapp.conversationWorkflow, inbound);
          receipt[count[result]]++;
          request.log.info({ messageId: inbound.message.id, type: inbound.message.type, result }, 'whatsapp message');
        }
        for (const update of statusUpdates(parsed.data)) {
          await statuses.record(update);
          receipt.statuses++;
        }
        return receipt;
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/whatsapp/statuses/:messageId',
      operationId: 'whatsappStatus',
      summary: 'The latest delivery status of a message we sent (sent, delivered, read, failed)',
      tags: ['webhooks'],
      access: 'read',
      params: z.object({ messageId: z.string().min(1).max(256) }),
      responses: { 200: { description: 'the latest status and the history', schema: MessageStatusSchema } },
      handler: async ({ params }) => {
        const status = await statuses.get(params.messageId);
        if (!status) throw new HttpError(404, 'NOT_FOUND', `no status recorded for message ${params.messageId}`);
        return status;
      },
    }),
  );
}
