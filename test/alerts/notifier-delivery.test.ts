/**
 * The notifier's delivery rules on the memory transport (the same code runs
 * on NATS in notifications.test.ts): retries with back-off until a webhook
 * answers 2xx, a permanent refusal given up at once and counted, WhatsApp
 * through the squad's outbox once per event however often it is delivered,
 * old events not replayed, and a recipient whose channel has no secret
 * refused at start naming the variable.
 */
import { alertCodec, names, NotifyConfigSchema, silentLogger, SquadflowError, type AlertEvent, type NotifyConfig } from '@squadflow/shared';
import { channelsFromEnv, startNotifier, type RunningNotifier } from '@squadflow/squads';
import { listWhatsAppOutbox } from '@squadflow/squads/catalog';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { until } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type ReceivedHook, type Receiver } from './receivers.ts';

const SECRET = 'unit-webhook-secret-0123456789';

function alert(at: number, id = 'stuck.cart.1.firing'): AlertEvent {
  return {
    id,
    type: 'alert.firing',
    alert: 'stuck.cart',
    rule: 'stuck',
    kind: 'stuck',
    severity: 'warning',
    summary: 'cart: 1 execution(s) in waiting for more than 2s',
    workflow: 'cart',
    value: 1,
    threshold: 2000,
    since: at,
    at,
  };
}

describe('notifier deliveries (memory transport)', () => {
  let transport: Transport | undefined;
  let notifier: RunningNotifier | undefined;
  let hooks: Receiver<ReceivedHook> | undefined;
  afterEach(async () => {
    await notifier?.stop();
    await transport?.close();
    await hooks?.close();
    notifier = transport = hooks = undefined;
  });

  async function start(notify: Record<string, unknown>): Promise<{ config: NotifyConfig; publish(event: AlertEvent): Promise<void> }> {
    transport = createMemoryTransport();
    const config = NotifyConfigSchema.parse({ retryDelay: '20ms', ...notify });
    const channels = await channelsFromEnv(config, transport, 'sqf', { SQUADFLOW_NOTIFY_WEBHOOK_SECRET: SECRET });
    notifier = await startNotifier({ transport, prefix: 'sqf', logger: silentLogger(), config, channels });
    const t = transport;
    return {
      config,
      publish: (event) => t.streams.publish(names('sqf').alert(event.rule, 'firing'), alertCodec.encode(event)),
    };
  }

  const settled = (key: string) =>
    until(
      `delivery ${key} settled`,
      () => notifier!.ledger.deliveries(),
      (ds) => ds.some((d) => d.key.endsWith(key) && d.status !== 'pending'),
      10_000,
    );

  it('retries a webhook that answers 5xx with back-off, and records one delivery after two tries', async () => {
    hooks = await startWebhookReceiver([500, 503]);
    const { publish } = await start({ recipients: { ops: { webhook: hooks.url } }, alerts: ['ops'] });
    await publish(alert(Date.now()));
    await hooks.received.count(3);
    const [delivery] = await settled('.webhook');
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3 });
    // Every try carried the same idempotency id.
    expect(new Set(hooks.received.items.map((h) => h.headers['x-squadflow-delivery'])).size).toBe(1);
    expect((await notifier!.ledger.counts()).sort((a, b) => a.outcome.localeCompare(b.outcome))).toEqual([
      { channel: 'webhook', outcome: 'retried', count: 2 },
      { channel: 'webhook', outcome: 'sent', count: 1 },
    ]);
  });

  it('gives up at once on a 4xx and counts the failure', async () => {
    hooks = await startWebhookReceiver([400]);
    const { publish } = await start({ recipients: { ops: { webhook: hooks.url } }, alerts: ['ops'] });
    await publish(alert(Date.now()));
    const [delivery] = await settled('.webhook');
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringContaining('answered 400') });
    expect(hooks.received.items).toHaveLength(1);
    expect(await notifier!.ledger.counts()).toEqual([{ channel: 'webhook', outcome: 'failed', count: 1 }]);
  });

  it('sends WhatsApp through the squad outbox once per event, even when the event comes twice', async () => {
    const { publish } = await start({ recipients: { ops: { whatsapp: '+55 11 99999-0000' } }, alerts: ['ops'] });
    const event = alert(Date.now());
    await publish(event);
    await settled('.whatsapp');
    await publish(event);
    await publish(alert(Date.now(), 'marker.1.firing'));
    await until(
      'second event delivered',
      () => notifier!.ledger.deliveries(),
      (ds) => ds.length === 2,
      10_000,
    );
    const outbox = await listWhatsAppOutbox(transport!, 'sqf', { phone: '+5511999990000' });
    expect(outbox).toHaveLength(2);
    expect(outbox.map((m) => m.text?.split('\n')[0])).toEqual([
      '[FIRING] warning: cart: 1 execution(s) in waiting for more than 2s',
      '[FIRING] warning: cart: 1 execution(s) in waiting for more than 2s',
    ]);
    expect(new Set(outbox.map((m) => m.idempotency_key)).size).toBe(2);
  });

  it('does not replay events older than maxEventAge', async () => {
    const { publish } = await start({ recipients: { ops: { whatsapp: '+55 11 99999-0000' } }, alerts: ['ops'], maxEventAge: '1h' });
    await publish(alert(Date.now() - 2 * 3_600_000, 'old.1.firing'));
    await publish(alert(Date.now(), 'new.1.firing'));
    await settled('.whatsapp');
    expect((await notifier!.ledger.deliveries()).map((d) => d.key)).toEqual([expect.stringContaining('new=2E1=2Efiring')]);
  });

  it('refuses to start when a recipient needs a channel whose secret is not set, naming the variable', async () => {
    const config = NotifyConfigSchema.parse({ recipients: { ops: { email: 'ops@example.com', webhook: 'http://127.0.0.1:9/x' } } });
    const err = await channelsFromEnv(config, createMemoryTransport(), 'sqf', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).issues.map((i) => i.path)).toEqual(['SQUADFLOW_SMTP_URL', 'SQUADFLOW_NOTIFY_WEBHOOK_SECRET']);
  });
});
