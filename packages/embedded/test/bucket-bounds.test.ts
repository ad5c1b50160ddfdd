/**
 * Every KV bucket that grows with traffic has a bound (docs/retention.md):
 * the whole deployment runs one execution, one unmatched signal, one
 * WhatsApp message and one status, on the memory transport and on NATS; then
 * each bucket is opened where it lives and its max age / size is asserted.
 * Buckets bounded by what operators create (definitions, schedules, squads)
 * or by what is active, and the executions bucket (retention), have no TTL.
 */
import { createGateway, signHmacSha256 } from '@squadflow/gateway';
import { names, NotifyConfigSchema, silentLogger } from '@squadflow/shared';
import { startNotifier } from '@squadflow/squads';
import { createWhatsAppSquad, leadConversation, openOutboxClient } from '@squadflow/squads/catalog';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { kvBounds, withNatsTransport } from '@squadflow/transport/testing';
import { describe, expect, it } from 'vitest';
import { wireInProcess } from '../src/index.ts';

const DAY = 86_400_000;
const SECRET = 'meta-app-secret-for-tests';

/** The bound each bucket must have: the table of docs/retention.md. */
const EXPECTED = (n: ReturnType<typeof names>) => ({
  [n.buckets.signals]: { ttlMs: DAY, maxBytes: 64 * 1024 * 1024 },
  [n.buckets.attempts]: { ttlMs: 7 * DAY },
  [n.buckets.idempotency]: { ttlMs: 7 * DAY },
  [n.buckets.webhooks]: { ttlMs: 30 * DAY },
  [n.buckets.whatsappStatuses]: { ttlMs: 30 * DAY },
  [n.buckets.whatsappConversations]: { ttlMs: 30 * DAY },
  [n.squadBucket('whatsapp_outbox')]: { ttlMs: 30 * DAY },
  [n.buckets.notifications]: { ttlMs: 8 * DAY },
  // Bounded otherwise: by retention, by what is active or by what operators create. (The leads, `<p>_leads`, are
  // business records like the inventory: kept until deleted, one per phone.)
  [n.buckets.executions]: {},
  [n.buckets.retention]: {},
  [n.buckets.timers]: {},
  [n.buckets.waits]: {},
  // The listing index and the creation logs: what is in flight, and what retention keeps (docs/metrics.md).
  [n.buckets.executionIndex]: {},
  [n.buckets.executionLog]: {},
});

const targets: Array<[string, () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>]> = [
  ['memory', async () => ({ transport: createMemoryTransport(), prefix: 'sqf', cleanup: async () => {} })],
  ['nats', () => withNatsTransport('bounds')],
];

describe.each(targets)('bucket bounds on %s', (_name, make) => {
  it('gives every bucket that grows with traffic its documented max age', async () => {
    const { transport, prefix, cleanup } = await make();
    const logger = silentLogger();
    const squads = async () => [createWhatsAppSquad({ client: await openOutboxClient(transport, prefix) })];
    const wired = await wireInProcess({ transport, prefix, logger, squads, workflows: [leadConversation({ replyTimeout: '1h' })] });
    const notifier = await startNotifier({ transport, prefix, logger, config: NotifyConfigSchema.parse({}), channels: [] });
    const gateway = createGateway({
      client: wired.client,
      transport,
      prefix,
      logger,
      config: { port: 0, whatsapp: { appSecret: SECRET, verifyToken: 'verify', conversationWorkflow: 'lead_conversation' } },
    });
    try {
      await wired.client.signal('nobody_waits', { a: 1 });
      const post = (body: object) => {
        const raw = JSON.stringify(body);
        return gateway.app.inject({
          method: 'POST',
          url: '/webhooks/whatsapp',
          payload: raw,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHmacSha256(raw, SECRET) },
        });
      };
      const value = (v: object) => ({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: {}, ...v } }] }],
      });
      const from = '5511987654321';
      expect(
        (
          await post(
            value({
              contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
              messages: [{ from, id: 'wamid.in1', timestamp: '1700000000', type: 'text', text: { body: 'hi' } }],
            }),
          )
        ).statusCode,
      ).toBe(200);
      expect(
        (await post(value({ statuses: [{ id: 'wamid.out1', status: 'sent', timestamp: '1700000000', recipient_id: from }] }))).statusCode,
      ).toBe(200);
      const n = names(prefix);
      const got: Record<string, unknown> = {};
      for (const bucket of Object.keys(EXPECTED(n))) got[bucket] = await kvBounds(transport, bucket);
      expect(got).toEqual(EXPECTED(n));
    } finally {
      await gateway.close();
      await notifier.stop();
      await wired.stop();
      await transport.close();
      await cleanup();
    }
  });
});
