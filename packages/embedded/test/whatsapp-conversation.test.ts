/**
 * Seed 004 end to end through the gateway, on the memory transport and on
 * NATS: `lead_activation` saves the lead and sends the template; the lead's
 * tap on "Ativar Perfil" (a signed `button` message in Meta's shape) starts
 * `lead_conversation`; a text sent while that conversation's answer step is
 * HELD (the WhatsApp client blocks until the test releases it) reaches the
 * same execution, never a second one; the lead and its status history are
 * read back through `GET /v1/leads`.
 */
import type { EngineClient, ExecutionView } from '@squadflow/engine';
import { createGateway, signHmacSha256 } from '@squadflow/gateway';
import { silentLogger, type LeadRecord } from '@squadflow/shared';
import {
  createLeadScraperSquad,
  createWhatsAppSquad,
  leadActivation,
  leadConversation,
  loadSuppliers,
  openLeadStore,
  openOutboxClient,
  type OutgoingMessage,
  type SendOptions,
  type WhatsAppClient,
} from '@squadflow/squads/catalog';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { gate, until, withNatsTransport } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { wireInProcess } from '../src/index.ts';

const SECRET = 'meta-app-secret-for-tests';
const LEAD = '5511987654321';

/** The outbox client, except that the first answer it sends waits until the test opens `release`. */
class HeldAnswerClient implements WhatsAppClient {
  readonly channel = 'outbox' as const;
  readonly entered = gate();
  readonly release = gate();
  private held = false;

  constructor(private readonly inner: WhatsAppClient) {}

  async send(message: OutgoingMessage, options: SendOptions) {
    if (!this.held && message.purpose?.startsWith('answer_')) {
      this.held = true;
      this.entered.open();
      await this.release.promise;
    }
    return this.inner.send(message, options);
  }
}

function metaPayload(message: Record<string, unknown>): string {
  const metadata = { display_phone_number: '15550001111', phone_number_id: '106540352242922' };
  const value = { messaging_product: 'whatsapp', metadata, contacts: [{ profile: { name: 'Ana' }, wa_id: LEAD }], messages: [message] };
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }],
  });
}

/** The tap on the activation template's quick-reply button, as Meta's Cloud API webhook reports it. */
const buttonTap = (id: string) =>
  metaPayload({
    context: { from: '15550001111', id: 'wamid.template-sent' },
    from: LEAD,
    id,
    timestamp: '1700000000',
    type: 'button',
    button: { text: 'Ativar Perfil', payload: 'ATIVAR_PERFIL' },
  });
const text = (id: string, body: string) => metaPayload({ from: LEAD, id, timestamp: '1700000001', type: 'text', text: { body } });

const targets: Array<[string, () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>]> = [
  ['memory', async () => ({ transport: createMemoryTransport(), prefix: 'sqf', cleanup: async () => {} })],
  ['nats', () => withNatsTransport('waconv')],
];

describe.each(targets)('seed 004 through the WhatsApp webhook on %s', (_name, make) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function start() {
    const { transport, prefix, cleanup } = await make();
    const logger = silentLogger();
    const whatsapp = new HeldAnswerClient(await openOutboxClient(transport, prefix));
    const squads = async () => [
      createWhatsAppSquad({ client: whatsapp, leads: await openLeadStore(transport, prefix) }),
      createLeadScraperSquad({ suppliers: await loadSuppliers() }),
    ];
    const workflows = [leadActivation(), leadConversation({ replyTimeout: '1h' })];
    const wired = await wireInProcess({ transport, prefix, logger, squads, workflows });
    const gateway = createGateway({
      client: wired.client,
      transport,
      prefix,
      logger,
      config: { port: 0, whatsapp: { appSecret: SECRET, verifyToken: 'verify', conversationWorkflow: 'lead_conversation' } },
    });
    const url = await gateway.listen();
    close = async () => {
      whatsapp.release.open();
      await gateway.close();
      await wired.stop();
      await cleanup();
    };
    const post = async (raw: string) => {
      const res = await fetch(`${url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHmacSha256(raw, SECRET) },
        body: raw,
      });
      return { status: res.status, body: (await res.json()) as Record<string, number> };
    };
    const get = async <T>(path: string) => {
      const res = await fetch(`${url}${path}`);
      return { status: res.status, body: (await res.json()) as T };
    };
    return { client: wired.client, whatsapp, post, get };
  }

  const conversations = async (client: EngineClient): Promise<ExecutionView[]> => client.listExecutions({ workflow: 'lead_conversation' });

  it('a button tap starts the conversation; a text sent while its answer is held joins it; the lead keeps its history', async () => {
    const { client, whatsapp, post, get } = await start();

    // Workflow 1: the form's lead is saved, qualified and sent the template.
    const activation = await client.trigger('lead_activation', { lead_data: { phone: `+${LEAD}`, name: 'Ana Souza' } });
    expect((await client.waitFor(activation, ['completed', 'failed'], 20_000)).status).toBe('completed');

    // The tap on "Ativar Perfil" starts workflow 2, whose answer step is now held.
    expect(await post(buttonTap('wamid.tap'))).toEqual({
      status: 200,
      body: { received: 1, signalled: 0, triggered: 1, duplicates: 0, ignored: 0, statuses: 0 },
    });
    await whatsapp.entered.promise;
    const [first] = await conversations(client);
    expect(first!.context).toEqual({
      phone_number: LEAD,
      name: 'Ana',
      message: { id: 'wamid.tap', type: 'button', text: 'Ativar Perfil', payload: 'ATIVAR_PERFIL' },
    });
    expect(await client.isWaiting(`ai_conversation_${LEAD}`)).toBe(false);

    // Between waits: the second message is a signal to that conversation, not a second trigger.
    expect((await post(text('wamid.second', 'Qual o preço?'))).body).toMatchObject({ received: 1, signalled: 1, triggered: 0 });
    whatsapp.release.open();

    const done = await client.waitFor(first!.executionId, ['completed', 'failed'], 20_000);
    expect(done.status).toBe('completed');
    expect(done.steps.find((s) => s.name === 'answer_message')?.output).toMatchObject({ intent: 'activation' });
    expect(done.steps.find((s) => s.name === 'await_reply')).toMatchObject({
      outcome: 'signal',
      output: { message_id: 'wamid.second', type: 'text', text: 'Qual o preço?' },
    });
    // The reply continues as the handoff, and only as the handoff: no execution was triggered for the second message.
    const next = await until(
      'the handoff waiting',
      () => conversations(client),
      (list) => list.some((e) => e.status === 'waiting'),
      20_000,
    );
    expect(next.map((e) => e.idempotencyKey).sort()).toEqual([`then.${first!.executionId}.0`, 'whatsapp:wamid.tap'].sort());
    expect(next.find((e) => e.status === 'waiting')!.context['message']).toMatchObject({ id: 'wamid.second', text: 'Qual o preço?' });

    // The lead's record: saved by workflow 1, moved by workflow 2, every change with its execution.
    const lead = await until(
      'the lead conversing',
      async () => (await get<LeadRecord>(`/v1/leads/${LEAD}`)).body,
      (l) => l.history?.filter((h) => h.status === 'conversing').length === 1,
      20_000,
    );
    expect(lead).toMatchObject({ phone: LEAD, name: 'Ana', status: 'conversing' });
    expect(lead.history.map((h) => h.status)).toEqual([
      'new',
      expect.stringMatching(/qualified/),
      'template_sent',
      'activated',
      'conversing',
    ]);
    expect(lead.history.slice(0, 3).every((h) => h.executionId === activation)).toBe(true);
    expect(lead.history[3]).toMatchObject({ executionId: first!.executionId, step: 'record_lead_message', note: 'button: ATIVAR_PERFIL' });

    const listed = await get<{ leads: LeadRecord[] }>('/v1/leads?status=conversing,activated&limit=10');
    expect(listed.body.leads.map((l) => l.phone)).toEqual([LEAD]);
    expect((await get<{ leads: LeadRecord[] }>('/v1/leads?status=opted_out')).body.leads).toEqual([]);
    const refused = await get<{ error: { code: string; issues: Array<{ path: string }> } }>('/v1/leads?status=bored');
    expect([refused.status, refused.body.error.code, refused.body.error.issues[0]?.path]).toEqual([
      400,
      'INVALID_ARGUMENT',
      'query.status.0',
    ]);
    const unknown = await get<{ error: { code: string } }>(`/v1/leads/5511000000000`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const notPhone = await get<{ error: { code: string; issues: Array<{ path: string }> } }>(`/v1/leads/not-a-phone`);
    expect([notPhone.status, notPhone.body.error.issues[0]?.path]).toEqual([400, 'params.phone']);
  });
});
