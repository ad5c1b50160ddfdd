/**
 * The WhatsApp Business webhook over real HTTP and real NATS, driving the
 * catalog's `lead_conversation` (seed 004) with the WhatsApp squad writing to
 * its KV outbox: a message nobody waits for starts a conversation; the next
 * one, correctly signed, resumes it; anything unsigned, tampered, oversized,
 * malformed or mistyped is refused and changes nothing; a replay is
 * processed once. It lives here, not in packages/gateway, because it runs
 * the catalog's real squad and workflow: only embedded wires gateway and squads together.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EngineClient, ExecutionView } from '@squadflow/engine';
import { createGateway, signHmacSha256, type GatewayConfig } from '@squadflow/gateway';
import { names, silentLogger } from '@squadflow/shared';
import { createWhatsAppSquad, leadConversation, openOutboxClient } from '@squadflow/squads/catalog';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Collector, natsUrl, until, withNatsTransport } from '@squadflow/transport/testing';
import { wireInProcess } from '../src/index.ts';

const SECRET = 'meta-app-secret-for-tests';
const VERIFY = 'verify-token-for-tests';
const LEAD = '5511987654321';

interface Stack {
  client: EngineClient;
  prefix: string;
  url: string;
  close(): Promise<void>;
}

/** Orchestrator, the catalog's WhatsApp squad (KV outbox) and the workflow on real NATS, with the gateway on a free port. */
async function startStack(options: { workflows: unknown[]; config: Partial<GatewayConfig> }): Promise<Stack> {
  const logger = silentLogger();
  const { transport, prefix, cleanup } = await withNatsTransport('gw');
  const squads = async () => [createWhatsAppSquad({ client: await openOutboxClient(transport, prefix) })];
  const wired = await wireInProcess({ transport, prefix, logger, squads, workflows: options.workflows });
  const gateway = createGateway({ client: wired.client, transport, prefix, logger, config: { port: 0, ...options.config } });
  const url = await gateway.listen();
  return {
    client: wired.client,
    prefix,
    url,
    close: async () => {
      await gateway.close();
      await wired.stop();
      await cleanup();
    },
  };
}

function metaPayload(value: Record<string, unknown>): Record<string, unknown> {
  const metadata = { display_phone_number: '15550001111', phone_number_id: '106540352242922' };
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
  };
}

function textMessage(id: string, body: unknown, from = LEAD): Record<string, unknown> {
  return metaPayload({
    contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
    messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body } }],
  });
}

describe('WhatsApp webhook', () => {
  let stack: Stack;
  let nc: NatsConnection;
  const signals = new Collector<string>();

  const post = async (raw: string | Buffer, signature: string | null = signHmacSha256(raw, SECRET)) => {
    const res = await fetch(`${stack.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; issues: unknown[] } } };
  };
  // Listed over HTTP, through the gateway's executions route.
  const conversations = async () =>
    ((await (await fetch(`${stack.url}/v1/executions?workflow=lead_conversation`)).json()) as { executions: ExecutionView[] }).executions;
  const waitingOn = (messageId: string) =>
    until(
      `a conversation for ${messageId} waiting`,
      conversations,
      (list) => list.some((e) => e.status === 'waiting' && (e.context['message'] as { id?: string } | undefined)?.id === messageId),
      20_000,
    );

  beforeAll(async () => {
    stack = await startStack({
      workflows: [leadConversation({ replyTimeout: '1h' })],
      config: { whatsapp: { appSecret: SECRET, verifyToken: VERIFY, conversationWorkflow: 'lead_conversation' } },
    });
    nc = await connect({ servers: natsUrl() });
    // A plain NATS subscription sees every signal published for this deployment.
    nc.subscribe(names(stack.prefix).inboundFilter('signal'), { callback: (_err, msg) => signals.push(msg.subject) });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
  });

  it("answers Meta's verification with the challenge only for the right verify token", async () => {
    const ok = await fetch(`${stack.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${stack.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
    expect(wrong.status).toBe(403);
  });

  it('starts the conversation workflow for a message nobody waits for', async () => {
    const res = await post(JSON.stringify(textMessage('wamid.first', 'Oi, quero saber mais')));
    expect(res).toMatchObject({ status: 200, body: { received: 1, triggered: 1, signalled: 0 } });
    const [conversation] = (await waitingOn('wamid.first')).filter((e) => e.status === 'waiting');
    expect(conversation!.context).toEqual({
      phone_number: LEAD,
      name: 'Ana',
      message: { id: 'wamid.first', type: 'text', text: 'Oi, quero saber mais' },
    });
    // The record says `waiting` once its snapshot is written; the wait is registered by the effects that follow.
    await vi.waitFor(async () => expect(await stack.client.isWaiting(`ai_conversation_${LEAD}`)).toBe(true), { timeout: 10_000 });
  });

  it('refuses unsigned, tampered, oversized, malformed and mistyped deliveries without changing anything', async () => {
    const before = (await conversations()).map((e) => [e.executionId, e.status]);
    const raw = JSON.stringify(textMessage('wamid.forged', 'hello'));
    const refused = [
      await post(raw, 'sha256=' + '0'.repeat(64)),
      await post(raw, null),
      await post(raw.replace('hello', 'HELLO'), signHmacSha256(raw, SECRET)),
      await post(JSON.stringify(textMessage('wamid.big', 'x'.repeat(2 * 1024 * 1024)))),
      await post('{"object": "whatsapp_business_account", "entry": ['),
      await post(JSON.stringify(textMessage('wamid.typed', 12345))),
    ];
    expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual([
      [401, 'INVALID_SIGNATURE'],
      [401, 'INVALID_SIGNATURE'],
      [401, 'INVALID_SIGNATURE'],
      [413, 'PAYLOAD_TOO_LARGE'],
      [400, 'INVALID_JSON'],
      [400, 'INVALID_PAYLOAD'],
    ]);
    expect(refused[5]!.body.error!.issues).toEqual([expect.objectContaining({ path: 'entry.0.changes.0.value.messages.0.text.body' })]);
    expect((await conversations()).map((e) => [e.executionId, e.status])).toEqual(before);
    expect(signals.items).toEqual([]);
  });

  it('resumes the waiting conversation with a correctly signed text message, once even when Meta replays it', async () => {
    const [first] = (await conversations()).filter((e) => e.status === 'waiting');
    const raw = JSON.stringify(textMessage('wamid.second', 'Qual o preço?'));
    expect((await post(raw)).body).toMatchObject({ received: 1, signalled: 1, triggered: 0, duplicates: 0 });
    await signals.count(1);

    const done = await stack.client.waitFor(first!.executionId, ['completed'], 20_000);
    expect(done.steps.find((s) => s.name === 'await_reply')).toMatchObject({
      outcome: 'signal',
      output: { message_id: 'wamid.second', from: LEAD, type: 'text', text: 'Qual o preço?', timestamp: '1700000000' },
    });
    await waitingOn('wamid.second'); // the handoff: the next message gets its own execution

    const count = (await conversations()).length;
    expect((await post(raw)).body).toMatchObject({ received: 1, signalled: 0, duplicates: 1 });
    expect((await post(JSON.stringify(textMessage('wamid.first', 'Oi, quero saber mais')))).body).toMatchObject({
      duplicates: 1,
      triggered: 0,
    });
    expect(await conversations()).toHaveLength(count);
    expect(signals.items).toHaveLength(1);
  });

  it('signals a media message with its media id', async () => {
    const image = metaPayload({
      contacts: [{ profile: { name: 'Ana' }, wa_id: LEAD }],
      messages: [
        {
          from: LEAD,
          id: 'wamid.photo',
          timestamp: '1700000100',
          type: 'image',
          image: { id: 'media-778', mime_type: 'image/jpeg', caption: 'minha conta' },
        },
      ],
    });
    expect((await post(JSON.stringify(image))).body).toMatchObject({ signalled: 1 });
    const waiting = await waitingOn('wamid.photo');
    expect(waiting.find((e) => (e.context['message'] as { id: string }).id === 'wamid.photo')!.context['message']).toEqual({
      id: 'wamid.photo',
      type: 'image',
      media_id: 'media-778',
      text: 'minha conta',
    });
  });

  it('keeps the latest delivery status per message, whatever order Meta sends them in', async () => {
    const status = (s: string, timestamp: string) =>
      metaPayload({ statuses: [{ id: 'wamid.out1', status: s, timestamp, recipient_id: LEAD }] });
    for (const [s, t] of [
      ['delivered', '1700000010'],
      ['sent', '1700000005'],
      ['read', '1700000020'],
    ] as const) {
      expect((await post(JSON.stringify(status(s, t)))).body).toMatchObject({ statuses: 1 });
    }
    const res = await fetch(`${stack.url}/v1/whatsapp/statuses/wamid.out1`);
    expect(await res.json()).toMatchObject({
      messageId: 'wamid.out1',
      status: 'read',
      recipientId: LEAD,
      history: expect.arrayContaining([expect.objectContaining({ status: 'sent' })]),
    });
    expect((await post(JSON.stringify(status('exploded', '1700000030')))).status).toBe(400);
    expect((await fetch(`${stack.url}/v1/whatsapp/statuses/wamid.unknown`)).status).toBe(404);
  });
});
