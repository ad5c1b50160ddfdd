/**
 * Seed workflows against real NATS with every squad as its own process
 * (`squadflow squad <name>`), the orchestrator as another, and short delays
 * set by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abandonedCartRecovery, leadConversation, listWhatsAppOutbox } from '@squadflow/squads/catalog';
import { until } from '@squadflow/transport/testing';
import { deploy, type Deployment } from './support.ts';

let d: Deployment;
beforeAll(async () => {
  d = await deploy('seeds', ['inventory', 'whatsapp', 'traffic', 'lead_scraper', 'google_ads'], { seedSquads: true });
  await d.client.registerWorkflow(abandonedCartRecovery({ reminderDelay: '300ms', audienceDelay: '500ms' }));
  await d.client.registerWorkflow(leadConversation({ replyTimeout: '1500ms' }));
}, 120_000);
afterAll(() => d?.close());

describe('seed workflows across processes', () => {
  it('recovers an abandoned cart: stock check, WhatsApp reminder, audience and campaign, each squad in its own process', async () => {
    const id = await d.client.trigger('abandoned_cart_recovery', {
      customer_phone: '+5511999999999',
      customer_name: 'João Silva',
      abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100 }],
      cart_value: 479.7,
    });
    const view = await d.client.waitFor(id, undefined, 30_000);
    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    expect(view.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const reminder = view.steps[1]!;
    expect(reminder.attempts[0]!.startedAt - view.steps[0]!.endedAt!).toBeGreaterThanOrEqual(300);
    const outbox = await listWhatsAppOutbox(d.transport, d.prefix, { phone: '+5511999999999' });
    expect(outbox.map((m) => m.purpose)).toEqual(['abandoned_cart']);
  });

  it('answers a lead at once, continues on a reply, and reminds after the reply timeout', async () => {
    const replied = await d.client.trigger('lead_conversation', {
      phone_number: '5581977776666',
      message: { id: 'wamid.1', type: 'text', text: 'oi' },
    });
    await d.client.waitFor(replied, ['waiting'], 30_000);
    await d.client.signal('ai_conversation_5581977776666', {
      message_id: 'wamid.2',
      from: '5581977776666',
      type: 'text',
      text: 'quanto custa?',
    });
    const answered = await d.client.waitFor(replied, undefined, 30_000);
    expect(Object.fromEntries(answered.steps.map((s) => [s.name, s.status]))).toMatchObject({
      answer_message: 'completed',
      record_lead_message: 'completed',
      await_reply: 'completed',
      send_reminder_message: 'skipped',
    });
    const continued = await until(
      'the conversation to continue in a new execution',
      async () => (await d.client.listExecutions({ workflow: 'lead_conversation' })).filter((e) => e.executionId !== replied),
      (list) => list.some((e) => e.status === 'waiting'),
    );
    expect(continued[0]!.steps.find((s) => s.name === 'answer_message')!.output).toMatchObject({ intent: 'pricing' });

    const silent = await d.client.trigger('lead_conversation', { phone_number: '5581966665555', message: { text: 'oi' } });
    const view = await d.client.waitFor(silent, undefined, 30_000);
    expect(view.steps.map((s) => [s.name, s.status])).toEqual([
      ['answer_message', 'completed'],
      ['record_lead_message', 'completed'],
      ['record_lead_answer', 'skipped'],
      ['await_reply', 'completed'],
      ['send_reminder_message', 'completed'],
      ['record_reminder', 'completed'],
    ]);
    const purposes = (await listWhatsAppOutbox(d.transport, d.prefix, { phone: '5581966665555' })).map((m) => m.purpose);
    expect(purposes).toContain('reminder');
  });
});
