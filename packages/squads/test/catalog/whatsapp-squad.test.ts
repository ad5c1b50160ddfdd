import type { Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWhatsAppSquad,
  listWhatsAppOutbox,
  OutboxWhatsAppClient,
  openOutboxClient,
  outboxBucket,
  type WhatsAppSquadDeps,
} from '../../src/catalog/index.ts';
import { NonRetryableError } from '../../src/errors.ts';
import { fakeContext, memory, run, runThroughSquad } from './support.ts';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

async function setup(deps: Partial<WhatsAppSquadDeps> = {}) {
  const m = memory();
  transport = m.transport;
  const client = await openOutboxClient(m.transport, m.prefix);
  return { ...m, client, squad: createWhatsAppSquad({ client, ...deps }) };
}

const cart = {
  customer_phone: '+5511999999999',
  customer_name: 'João Silva',
  abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100.0 }],
  cart_value: 479.7,
};

describe('whatsapp squad with the outbox client', () => {
  it('records the abandoned-cart message in the outbox with the normalised phone, the items and the cart value', async () => {
    const { transport: t, prefix, squad } = await setup();
    const out = (await run(squad, 'send_abandoned_cart_message', cart)) as { message_id: string; to: string; text: string };

    expect(out).toMatchObject({ to: '5511999999999', channel: 'outbox' });
    expect(out.text).toContain('João');
    expect(out.text).toContain('Produto 1');
    expect(out.text).toContain('R$ 479,70');
    const [stored] = await listWhatsAppOutbox(t, prefix);
    expect(stored).toMatchObject({ id: out.message_id, to: '5511999999999', type: 'text', text: out.text, purpose: 'abandoned_cart' });
  });

  it('stores one outbox message when an action runs twice with the same idempotency key', async () => {
    const { transport: t, prefix, squad } = await setup();
    const ctx = fakeContext();
    const first = (await run(squad, 'send_welcome_message', { phone: '+55 11 88888-8888', name: 'Maria Santos' }, ctx)) as {
      message_id: string;
    };
    const second = (await run(squad, 'send_welcome_message', { phone: '+55 11 88888-8888', name: 'Maria Santos' }, ctx)) as {
      message_id: string;
    };
    const third = (await run(squad, 'send_welcome_message', { phone: '+55 11 88888-8888' }, fakeContext())) as { message_id: string };

    expect(second.message_id).toBe(first.message_id);
    expect(third.message_id).not.toBe(first.message_id);
    expect(await listWhatsAppOutbox(t, prefix)).toHaveLength(2);
    expect(await (await t.kv(outboxBucket(prefix))).keys()).toHaveLength(2);
  });

  it('welcomes a lead from lead_data as is, offering a call to hot leads', async () => {
    const { squad } = await setup();
    const lead = { name: 'Maria Santos', phone: '+5511888888888', email: 'maria@example.com', source: 'Facebook Ads' };
    const plain = (await run(squad, 'send_welcome_message', lead)) as { text: string };
    const hot = (await run(squad, 'send_welcome_message', { ...lead, segment: 'hot' })) as { text: string };

    expect(plain.text).toMatch(/^Olá, Maria!/);
    expect(hot.text).toContain('especialista');
    expect(plain.text).not.toContain('especialista');
  });

  it('sends the follow-up and the inactivity reminder to the lead', async () => {
    const { transport: t, prefix, squad } = await setup();
    await run(squad, 'schedule_followup_message', { phone: '+5511888888888', name: 'Maria' });
    await run(squad, 'send_reminder_message', { phone_number: '+5511777777777', name: null });

    const purposes = (await listWhatsAppOutbox(t, prefix)).map((m) => [m.to, m.purpose]);
    expect(purposes).toEqual(
      expect.arrayContaining([
        ['5511888888888', 'followup'],
        ['5511777777777', 'reminder'],
      ]),
    );
  });

  it('sends the stock alert to the given contact, else to the configured alert phone, else fails non-retryably', async () => {
    const alert = { product_id: 'prod_123', product_name: 'Tênis Runner Pro', stock_level: 3, min_threshold: 10, reorder_quantity: 42 };
    const withDefault = await setup({ alertPhone: '+55 11 90000-0000' });
    const toSupplier = (await run(withDefault.squad, 'send_stock_alert', { ...alert, to: '+55 51 98888-2002' })) as {
      to: string;
      text: string;
    };
    const toTeam = (await run(withDefault.squad, 'send_stock_alert', { ...alert, to: null })) as { to: string };
    await transport?.close();
    const without = await setup();

    expect(toSupplier.to).toBe('5551988882002');
    expect(toSupplier.text).toContain('Tênis Runner Pro (prod_123) está com 3 unidade(s) (mínimo: 10)');
    expect(toSupplier.text).toContain('42 unidades');
    expect(toTeam.to).toBe('5511900000000');
    await expect(run(without.squad, 'send_stock_alert', alert)).rejects.toMatchObject({ code: 'NO_RECIPIENT' });
  });

  it('records the activation template with the default name and language, and explicit parameters', async () => {
    const { transport: t, prefix, squad } = await setup({ activationTemplate: 'ativar_perfil' });
    const out = await run(squad, 'send_template', { phone_number: '+5511999999999', parameters: ['João'] });

    expect(out).toMatchObject({ template: 'ativar_perfil', channel: 'outbox' });
    const [stored] = await listWhatsAppOutbox(t, prefix);
    expect(stored).toMatchObject({ type: 'template', template: { name: 'ativar_perfil', language: 'pt_BR', parameters: ['João'] } });
  });

  it('answers an inbound message at once with a rule-based reply and reports the intent', async () => {
    const { squad } = await setup();
    const pricing = await run(squad, 'answer_message', {
      phone_number: '+5511999999999',
      name: 'João Silva',
      message: { text: 'Oi, quanto custa?' },
    });
    const media = await run(squad, 'answer_message', { phone_number: '+5511999999999', message: { media_id: 'media-1' } });

    expect(pricing).toMatchObject({ intent: 'pricing', handoff: false, to: '5511999999999' });
    expect((pricing as { text: string }).text).toContain('João');
    expect(media).toMatchObject({ intent: 'media', handoff: false });
  });

  it('fails non-retryably with INVALID_PHONE for a number that is not international', async () => {
    const { squad } = await setup();
    const failure = run(squad, 'send_reminder_message', { phone_number: '12345' });

    await expect(failure).rejects.toBeInstanceOf(NonRetryableError);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_PHONE' });
  });

  it('answers a step command through startSquad and leaves the message in the outbox', async () => {
    const { transport: t, prefix, squad } = await setup();
    const reply = await runThroughSquad(t, prefix, squad, 'send_abandoned_cart_message', cart);

    expect(reply).toMatchObject({ ok: true, output: { to: '5511999999999', channel: 'outbox' } });
    const outbox = await listWhatsAppOutbox(t, prefix, { phone: '+55 (11) 99999-9999' });
    expect(outbox.map((m) => m.id)).toEqual([(reply.output as { message_id: string }).message_id]);
  });
});

describe('outbox listing', () => {
  it('lists newest first, filters by phone in any format and honours the limit', async () => {
    const m = memory();
    transport = m.transport;
    let now = 1_000;
    const client = new OutboxWhatsAppClient(await m.transport.kv(outboxBucket(m.prefix)), { now: () => now });
    for (const [to, key] of [
      ['+5511999999999', 'a'],
      ['+5521988887777', 'b'],
      ['+5511999999999', 'c'],
    ] as const) {
      now += 10;
      await client.send({ to, type: 'text', text: key }, { idempotencyKey: key });
    }

    expect((await client.listOutbox()).map((m) => m.text)).toEqual(['c', 'b', 'a']);
    expect((await client.listOutbox({ phone: '0055 11 99999 9999' })).map((m) => m.text)).toEqual(['c', 'a']);
    expect((await client.listOutbox({ limit: 1 })).map((m) => m.text)).toEqual(['c']);
  });
});
