/**
 * The WhatsApp webhook's own logic, without squads: what a `button` or
 * `interactive` message becomes, and the per-phone conversation pointer that
 * keeps a message from starting a second conversation while the first runs
 * between waits (two replicas deciding at once, a redelivery, a trigger that
 * never happened, a conversation that handed off or ended).
 */
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { executionIdFor, names, silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationPointers, MISSING_GRACE_MS } from '../src/webhooks/whatsapp-conversations.ts';
import { messageContent } from '../src/webhooks/whatsapp-inbound.ts';
import { WhatsAppPayloadSchema, WhatsAppMessageSchema, type WhatsAppMessage } from '../src/webhooks/whatsapp-payload.ts';

const base = { from: '5511987654321', id: 'wamid.x', timestamp: '1700000000' };
const parse = (m: Record<string, unknown>): WhatsAppMessage => WhatsAppMessageSchema.parse({ ...base, ...m });

describe('button and interactive replies', () => {
  it("take a template button's label and payload, and an interactive reply's title and id", () => {
    expect(messageContent(parse({ type: 'button', button: { text: 'Ativar Perfil', payload: 'ATIVAR_PERFIL' } }))).toEqual({
      type: 'button',
      text: 'Ativar Perfil',
      payload: 'ATIVAR_PERFIL',
    });
    const buttonReply = { type: 'button_reply', button_reply: { id: 'activate', title: 'Ativar' } };
    expect(messageContent(parse({ type: 'interactive', interactive: buttonReply }))).toEqual({
      type: 'interactive',
      text: 'Ativar',
      payload: 'activate',
    });
    const listReply = { type: 'list_reply', list_reply: { id: 'plan_b', title: 'Plano B', description: 'mensal' } };
    expect(messageContent(parse({ type: 'interactive', interactive: listReply }))).toEqual({
      type: 'interactive',
      text: 'Plano B',
      payload: 'plan_b',
    });
    // An interactive kind the conversation does not take (a flow's answer) is acknowledged and ignored.
    expect(messageContent(parse({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: {} } }))).toBeNull();
  });

  it('refuses a button or interactive message without its object, or with a field of the wrong type, naming the field', () => {
    const issues = (m: Record<string, unknown>) =>
      WhatsAppMessageSchema.safeParse({ ...base, ...m }).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ type: 'button' })).toEqual([['button', 'required for a button message']]);
    expect(issues({ type: 'interactive' })).toEqual([['interactive', 'required for an interactive message']]);
    expect(issues({ type: 'button', button: { text: 7 } })?.[0]?.[0]).toBe('button.text');
    expect(issues({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'a' } } })?.[0]?.[0]).toBe(
      'interactive.button_reply.title',
    );
    expect(WhatsAppPayloadSchema.safeParse({ object: 'whatsapp_business_account', entry: [] }).success).toBe(true);
  });
});

describe('the conversation pointer', () => {
  let transport: Transport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
    transport = orchestrator = undefined;
  });
  const PHONE = '5511987654321';
  const WF = 'lead_conversation';

  async function setup() {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    const client = await EngineClient.connect({ transport });
    const pointers = new ConversationPointers(transport, names('sqf').buckets.whatsappConversations, client);
    return { clock, client, pointers };
  }

  it('lets one of two concurrent deciders start the conversation; the other joins it; a redelivery triggers the same again', async () => {
    const { pointers } = await setup();
    const [a, b] = await Promise.all([pointers.route(PHONE, WF, 'ex_a'), pointers.route(PHONE, WF, 'ex_b')]);
    expect([a, b].sort()).toEqual(['signal', 'trigger']);
    const winner = a === 'trigger' ? 'ex_a' : 'ex_b';
    expect(await pointers.route(PHONE, WF, winner)).toBe('trigger'); // Meta redelivers the message that claimed it
    expect(await pointers.route(PHONE, WF, 'ex_c')).toBe('signal'); // claimed moments ago: its record is on its way
  });

  it('starts a new conversation once a claimed execution stays missing past the grace', async () => {
    const { clock, pointers } = await setup();
    expect(await pointers.route(PHONE, WF, 'ex_never')).toBe('trigger');
    await clock.advance(MISSING_GRACE_MS - 1);
    expect(await pointers.route(PHONE, WF, 'ex_next')).toBe('signal');
    await clock.advance(1);
    expect(await pointers.route(PHONE, WF, 'ex_next')).toBe('trigger');
  });

  it("follows the conversation's handoffs while it runs, and starts anew once it ended without one", async () => {
    const { clock, client, pointers } = await setup();
    orchestrator = await Orchestrator.start({ transport: transport!, logger: silentLogger() });
    const settle = async () => {
      await clock.advance(0);
      await orchestrator!.idle();
    };
    // lead_conversation's shape: a reply completes the execution and hands the conversation to the next one.
    const definition = workflow(WF).wait('await_reply', { signal: 'chat_{phone}', timeout: '1h' }).build();
    await client.registerWorkflow({
      ...definition,
      then: [{ workflow: WF, input: '{ "phone": phone }', when: '$type($steps.await_reply) = "object"' }],
    });

    const first = executionIdFor(WF, 'whatsapp:m1');
    expect(await pointers.route(PHONE, WF, first)).toBe('trigger');
    expect(await client.trigger(WF, { phone: PHONE }, { idempotencyKey: 'whatsapp:m1' })).toBe(first);
    await settle();
    await clock.advance(MISSING_GRACE_MS); // long past the claim: only the stored executions count now
    expect(await pointers.route(PHONE, WF, 'ex_m2')).toBe('signal');

    await client.signal(`chat_${PHONE}`, { text: 'oi' });
    await settle();
    const next = executionIdFor(WF, `then.${first}.0`);
    expect((await client.getExecution(first))?.status).toBe('completed');
    expect((await client.getExecution(next))?.status).toBe('waiting');
    await clock.advance(MISSING_GRACE_MS);
    expect(await pointers.route(PHONE, WF, 'ex_m3')).toBe('signal'); // found through the handoff

    await client.cancel(next, 'test');
    await settle();
    expect(await pointers.route(PHONE, WF, 'ex_m4')).toBe('trigger');
  });
});
