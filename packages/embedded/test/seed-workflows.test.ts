/**
 * Every seed workflow end to end on the seed squads, in the time-skipping
 * environment: minutes, hours and days of delays run in milliseconds, and
 * each delay is checked against simulated time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionView } from '@squadflow/engine';
import {
  createAgencySquad,
  createSeedSquads,
  handOnKey,
  listWhatsAppOutbox,
  seedWorkflows,
  triggerPublisher,
} from '@squadflow/squads/catalog';
import { TestEnvironment } from '../src/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function environment(options: Parameters<typeof seedWorkflows>[0] = {}): Promise<TestEnvironment> {
  env = await TestEnvironment.create({
    // The agency chains its handoffs, as `squadflow start` runs it.
    squads: async (transport, prefix) => [
      ...(await createSeedSquads({ transport, prefix, env: {} })),
      createAgencySquad({ starter: triggerPublisher(transport, prefix) }),
    ],
    workflows: seedWorkflows(options),
  });
  return env;
}

const step = (view: ExecutionView, name: string) => view.steps.find((s) => s.name === name)!;
/** Time between one step's end and the start of the next one's first attempt. */
const gap = (view: ExecutionView, from: string, to: string) => step(view, to).attempts[0]!.startedAt - step(view, from).endedAt!;
const outbox = (e: TestEnvironment, phone: string) => listWhatsAppOutbox(e.transport, 'sqf', { phone });

describe('seed workflows in simulated time', () => {
  it('abandoned_cart_recovery: stock check, reminder after 5 min, audience after 1 h, retargeting campaign', async () => {
    const e = await environment();
    const id = await e.client.trigger('abandoned_cart_recovery', {
      customer_phone: '+5511999999999',
      customer_name: 'João Silva',
      abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100.0 }],
      cart_value: 479.7,
    });
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(view.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(gap(view, 'check_inventory', 'send_whatsapp_reminder')).toBeGreaterThanOrEqual(5 * MIN);
    expect(gap(view, 'send_whatsapp_reminder', 'create_google_ads_audience')).toBeGreaterThanOrEqual(HOUR);
    const audience = step(view, 'create_google_ads_audience').output as { audience_id: string };
    expect(step(view, 'launch_retargeting_campaign').output).toMatchObject({ audience_id: audience.audience_id, status: 'active' });
    const messages = await outbox(e, '+5511999999999');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toContain('João');
  });

  it('abandoned_cart_recovery skips the reminder when an item is out of stock, and still builds the audience', async () => {
    const e = await environment();
    const id = await e.client.trigger('abandoned_cart_recovery', {
      customer_phone: '+5511977777777',
      abandoned_items: [{ id: 'no_such_product' }],
    });
    const view = await e.runUntil(id);
    expect(view.steps.map((s) => [s.name, s.status])).toEqual([
      ['check_inventory', 'completed'],
      ['send_whatsapp_reminder', 'skipped'],
      ['create_google_ads_audience', 'completed'],
      ['launch_retargeting_campaign', 'completed'],
    ]);
    expect(await outbox(e, '+5511977777777')).toHaveLength(0);
  });

  it('stock_emergency: a critical product pauses its ads, prioritises suppliers after 1 min and alerts the top supplier after 30 min', async () => {
    const e = await environment();
    const id = await e.client.trigger('stock_emergency', { product_id: 'prod_123', stock_level: 3, min_threshold: 10 });
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(step(view, 'analyze_stock_situation').output).toMatchObject({ critical: true });
    expect((step(view, 'pause_google_ads').output as { paused_count: number }).paused_count).toBeGreaterThan(0);
    expect(gap(view, 'pause_google_ads', 'notify_lead_scraper')).toBeGreaterThanOrEqual(MIN);
    expect(gap(view, 'notify_lead_scraper', 'send_whatsapp_alert')).toBeGreaterThanOrEqual(30 * MIN);
    const top = (step(view, 'notify_lead_scraper').output as { top_contact: { phone: string } }).top_contact;
    expect(step(view, 'send_whatsapp_alert').output).toMatchObject({ to: top.phone.replace(/\D/g, '') });
  });

  it('stock_emergency leaves the ads running when the stock is not critical', async () => {
    const e = await environment();
    const id = await e.client.trigger('stock_emergency', { product_id: 'prod_123', stock_level: 500, min_threshold: 10 });
    const view = await e.runUntil(id);
    expect(step(view, 'pause_google_ads').status).toBe('skipped');
    expect(step(view, 'notify_lead_scraper').status).toBe('completed');
  });

  it('new_lead_nurture: welcome after 1 min, audience after 5 min, campaign after 24 h and the follow-up 48 h later', async () => {
    const e = await environment();
    const id = await e.client.trigger('new_lead_nurture', {
      lead_data: { name: 'Maria Santos', phone: '+5511888888888', email: 'maria@example.com', source: 'Facebook Ads' },
    });
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(gap(view, 'qualify_lead', 'send_welcome_whatsapp')).toBeGreaterThanOrEqual(MIN);
    expect(gap(view, 'send_welcome_whatsapp', 'create_lead_audience')).toBeGreaterThanOrEqual(5 * MIN);
    expect(gap(view, 'create_lead_audience', 'launch_lead_nurture_campaign')).toBeGreaterThanOrEqual(24 * HOUR);
    expect(gap(view, 'launch_lead_nurture_campaign', 'schedule_followup')).toBeGreaterThanOrEqual(48 * HOUR);
    expect(step(view, 'schedule_followup').attempts[0]!.startedAt - view.createdAt).toBeGreaterThanOrEqual(72 * HOUR);
    const messages = await outbox(e, '+5511888888888');
    expect(messages.map((m) => m.purpose).sort()).toEqual(['followup', 'welcome']);
  });

  it('lead_activation sends the activation template to the new lead', async () => {
    const e = await environment();
    const view = await e.runUntil(await e.client.trigger('lead_activation', { lead_data: { name: 'Ana', phone: '+55 81 98888-7777' } }));
    expect(view.status).toBe('completed');
    const [template] = await outbox(e, '+5581988887777');
    expect(template).toMatchObject({ type: 'template', template: { name: 'lead_activation' } });
    expect(step(view, 'record_template_sent').output).toMatchObject({ phone: '5581988887777', status: 'template_sent', changes: 3 });
  });

  it('lead_conversation answers at once, and a reply within 2 h continues the conversation in a new execution', async () => {
    const e = await environment();
    const id = await e.client.trigger('lead_conversation', {
      phone_number: '5581977776666',
      name: 'Ana',
      message: { id: 'wamid.1', type: 'text', text: 'oi' },
    });
    await e.runUntil(id, ['waiting']);
    expect(await outbox(e, '5581977776666')).toHaveLength(1); // the instant answer
    await e.advance('1h');
    await e.client.signal('ai_conversation_5581977776666', {
      message_id: 'wamid.2',
      from: '5581977776666',
      type: 'text',
      text: 'quanto custa?',
    });
    const first = await e.runUntil(id);
    expect(first.steps.map((s) => [s.name, s.status])).toEqual([
      ['answer_message', 'completed'],
      ['record_lead_message', 'completed'],
      ['record_lead_answer', 'skipped'],
      ['await_reply', 'completed'],
      ['send_reminder_message', 'skipped'],
      ['record_reminder', 'skipped'],
    ]);
    expect(step(first, 'record_lead_message').output).toMatchObject({ phone: '5581977776666', status: 'conversing' });
    const [next] = (await e.client.listExecutions({ workflow: 'lead_conversation' })).filter((x) => x.executionId !== id);
    expect(next!.context).toMatchObject({ phone_number: '5581977776666', message: { id: 'wamid.2', text: 'quanto custa?' } });
    const continued = await e.runUntil(next!.executionId, ['waiting']);
    expect(step(continued, 'answer_message').output).toMatchObject({ intent: 'pricing' });
  });

  it('lead_conversation sends the reminder when the lead stays quiet for 2 h, and not before', async () => {
    const e = await environment();
    const id = await e.client.trigger('lead_conversation', { phone_number: '5581966665555', message: { text: 'oi' } });
    await e.runUntil(id, ['waiting']);
    await e.advance('1h59m');
    expect((await e.client.getExecution(id))!.status).toBe('waiting');
    const view = await e.runUntil(id);
    expect(step(view, 'send_reminder_message').status).toBe('completed');
    expect(step(view, 'await_reply').outcome).toBe('timeout');
    expect(step(view, 'send_reminder_message').attempts[0]!.startedAt - step(view, 'await_reply').startedAt!).toBeGreaterThanOrEqual(
      2 * HOUR,
    );
    expect((await outbox(e, '5581966665555')).map((m) => m.purpose)).toContain('reminder');
    expect(step(view, 'record_reminder').output).toMatchObject({ status: 'reminded' });
    expect(await e.client.listExecutions({ workflow: 'lead_conversation' })).toHaveLength(1); // no handoff on silence
  });

  it('chains the handoffs: a completed offer_to_marketing starts marketing_to_sales with its brief', async () => {
    const e = await environment();
    const { readFileSync } = await import('node:fs');
    const input = JSON.parse(
      readFileSync(new URL('../../../examples/handoffs/offer_to_marketing.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    const id = await e.client.trigger('offer_to_marketing', input);
    expect((await e.runUntil(id)).status).toBe('completed');
    await e.settle();
    const [next] = await e.client.listExecutions({ workflow: 'marketing_to_sales' });
    expect(next).toBeDefined();
    expect(next!.idempotencyKey).toBe(handOnKey(id, 'execute_handoff'));
    expect(next!.context).toMatchObject({ campaign_name: 'Widget Pro_launch', handoff_chain: { hop: 1, origin: id, previous: id } });
  });
});
