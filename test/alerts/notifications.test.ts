/**
 * Issue 13, alerts and notifications, end to end on real NATS: an execution
 * stuck on a wait nobody signals raises an alert that reaches a local SMTP
 * server and a local webhook receiver exactly once each, with two
 * evaluator loops and two notifiers (as two orchestrator replicas would run
 * them), through further evaluations and a redelivered event; a human
 * task's assignee gets the assignment e-mail and, after the escalation
 * delay, the escalation target gets one.
 */
import { AlertEvaluator } from '@squadflow/engine';
import { startAlerting, wireInProcess, type Alerting, type Wired } from '@squadflow/embedded';
import { createGateway, verifyHmacSha256 } from '@squadflow/gateway';
import { names, parseAlertsConfig, silentLogger, workflow, type AlertsConfig } from '@squadflow/shared';
import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_SIGNATURE_HEADER, type WebhookBody } from '@squadflow/squads';
import { consumerCounts, until, withNatsTransport, type NatsTestTransport } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpReceiver, startWebhookReceiver, type ReceivedMail, type Receiver, type ReceivedHook } from './receivers.ts';

const SECRET = 'test-webhook-secret-0123456789';
const logger = silentLogger();

describe('alerts and notifications (NATS)', () => {
  let nats: NatsTestTransport | undefined;
  let wired: Wired | undefined;
  const running: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];
  let smtp: Receiver<ReceivedMail> | undefined;
  let hooks: Receiver<ReceivedHook> | undefined;

  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await ('stop' in r ? r.stop() : r.close());
    await wired?.stop();
    await nats?.cleanup();
    await smtp?.close();
    await hooks?.close();
    wired = nats = smtp = hooks = undefined;
  });

  async function world(definitions: unknown[], alerts: (receivers: { smtp: string; hook: string }) => unknown) {
    smtp = await startSmtpReceiver();
    hooks = await startWebhookReceiver();
    nats = await withNatsTransport('notify');
    const { transport, prefix } = nats;
    wired = await wireInProcess({ transport, prefix, logger, squads: [], workflows: definitions });
    const config: AlertsConfig = parseAlertsConfig(alerts({ smtp: smtp.url, hook: hooks.url }));
    const env = { SQUADFLOW_SMTP_URL: smtp.url, SQUADFLOW_NOTIFY_WEBHOOK_SECRET: SECRET };
    // Two replicas' worth: each runs an evaluator loop and a notifier sharing the durable consumers.
    const replicas: Alerting[] = [];
    for (let i = 0; i < 2; i++) {
      const alerting = await startAlerting({ transport, prefix, logger, alerts: config, env });
      running.push(alerting);
      replicas.push(alerting);
    }
    return { transport, prefix, client: wired.client, replicas, config };
  }

  /** Every notifier consumer has settled everything it was given (nothing pending, nothing unacknowledged). */
  async function notifiersIdle(prefix: string): Promise<void> {
    const n = names(prefix);
    const durables = ['waiting', 'step_escalated', 'execution_escalated', 'alerts'].map((f) => n.consumers.notifier(f));
    await until(
      'notifier consumers idle',
      () => Promise.all(durables.map((d) => consumerCounts(n.streams.lifecycle, d))),
      (counts) => counts.every((c) => c.pending === 0 && c.ackPending === 0),
      15_000,
    );
  }

  it('a stuck execution raises one alert that reaches the SMTP server and the webhook receiver exactly once each', async () => {
    const { transport, prefix, client, replicas, config } = await world(
      [workflow('approval_wait').wait('approval', { signal: 'approval_{$execution.id}' }).build()],
      ({ hook }) => ({
        evaluateEvery: '250ms',
        rules: [{ id: 'stuck_waits', kind: 'stuck', workflow: 'approval_wait', statuses: ['waiting'], limit: '2s', severity: 'critical' }],
        notify: { recipients: { ops: { email: 'ops@example.com', webhook: hook } }, alerts: ['ops'], retryDelay: '100ms' },
      }),
    );
    const executionId = await client.trigger('approval_wait', {});

    const [mail] = await smtp!.received.count(1, 20_000);
    const [hook] = await hooks!.received.count(1, 20_000);
    expect(mail).toMatchObject({ to: ['ops@example.com'] });
    expect(mail!.subject).toContain('[FIRING] critical: approval_wait: 1 execution(s) in waiting for more than 2s');

    // The webhook is signed over the raw body, carries its idempotency id, and names the execution.
    const body = JSON.parse(hook!.raw.toString('utf8')) as WebhookBody;
    const signature = hook!.headers[WEBHOOK_SIGNATURE_HEADER] as string;
    expect(verifyHmacSha256(hook!.raw, signature, SECRET, { prefix: 'sha256=' })).toBe(true);
    expect(
      verifyHmacSha256(Buffer.from(hook!.raw.toString('utf8').replace('FIRING', 'RESOLVED')), signature, SECRET, { prefix: 'sha256=' }),
    ).toBe(false);
    expect(verifyHmacSha256(hook!.raw, signature, 'another-secret-0123456789', { prefix: 'sha256=' })).toBe(false);
    expect(hook!.headers[WEBHOOK_DELIVERY_HEADER]).toBe(body.id);
    expect(body).toMatchObject({
      kind: 'alert.firing',
      recipient: 'ops',
      event: { type: 'alert.firing', rule: 'stuck_waits', workflow: 'approval_wait', executions: [executionId] },
    });

    // Further evaluations by both loops, at once and regardless of the lease, change nothing.
    const [a, b] = replicas.map((r) => r.evaluator!) as [AlertEvaluator, AlertEvaluator];
    const looks = await Promise.all([a.evaluate(), b.evaluate(), a.evaluate(), b.evaluate()]);
    expect(looks.flatMap((l) => [...l.fired, ...l.resolved])).toEqual([]);
    await notifiersIdle(prefix);
    expect(smtp!.received.items).toHaveLength(1);
    expect(hooks!.received.items).toHaveLength(1);

    // The same event again (as NATS redelivers after a crash, past the dedup window): the ledger sends nothing twice.
    const n = names(prefix);
    await transport.streams.publish(n.alert('stuck_waits', 'firing'), new TextEncoder().encode(JSON.stringify(body.event)));
    await notifiersIdle(prefix);
    expect(smtp!.received.items).toHaveLength(1);
    expect(hooks!.received.items).toHaveLength(1);
    const ledger = await replicas[0]!.notifier!.ledger.deliveries();
    expect(ledger.map((d) => [d.key.split('.').pop(), d.status, d.attempts]).sort()).toEqual([
      ['email', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
    expect(config.evaluateEveryMs).toBe(250);

    // The gateway's /metrics shows the alert firing, fired once, and the two deliveries.
    const gateway = createGateway({ client, transport, prefix, logger, config: { port: 0 } });
    running.push(gateway);
    const metrics = (await gateway.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('squadflow_alerts_firing{rule="stuck_waits"} 1');
    expect(metrics).toContain('squadflow_alerts_fired_total{rule="stuck_waits"} 1');
    expect(metrics).toContain('squadflow_notifications_total{channel="email",outcome="sent"} 1');
    expect(metrics).toContain('squadflow_notifications_total{channel="webhook",outcome="sent"} 1');
  });

  it("an escalated step's target gets the escalation e-mail, and the unanswered-escalation alert too", async () => {
    const { client, prefix } = await world(
      [
        // No squad runs `ledger.sync`: the attempt times out and the step escalates to its target.
        workflow('ledger_sync')
          .task('sync', { squad: 'ledger', action: 'sync', timeout: '300ms', onError: 'escalate', escalationTarget: 'ledger-lead' })
          .build(),
      ],
      () => ({
        evaluateEvery: '250ms',
        rules: [{ id: 'unanswered', kind: 'escalation_unanswered', workflow: 'ledger_sync', limit: '1s', severity: 'warning' }],
        notify: { recipients: { 'ledger-lead': { email: 'lead@example.com' } }, retryDelay: '100ms' },
      }),
    );
    const executionId = await client.trigger('ledger_sync', {});

    const [escalated] = await smtp!.received.count(1, 20_000);
    expect(escalated).toMatchObject({ to: ['lead@example.com'] });
    expect(escalated!.subject).toBe('Escalation: ledger_sync needs a decision');
    expect(escalated!.raw).toContain('It is escalated to ledger-lead.');
    expect(escalated!.raw).toContain(executionId);

    // Nobody answers within the limit: the alert goes to the target (no alert route is configured).
    const [, alert] = await smtp!.received.count(2, 20_000);
    expect(alert).toMatchObject({ to: ['lead@example.com'] });
    expect(alert!.subject).toContain('[FIRING] warning: ledger_sync: 1 escalation(s) unanswered');

    await notifiersIdle(prefix);
    expect(smtp!.received.items).toHaveLength(2);
  });

  it("a human task's assignee gets the assignment e-mail, and the escalation target gets one after the escalation delay", async () => {
    const { client, prefix } = await world(
      [
        workflow('discount_approval')
          .human('approve', {
            assignee: 'sales_manager',
            title: 'Approve the 15% discount',
            escalations: [{ after: '1500ms', to: 'director' }],
          })
          .build(),
      ],
      () => ({
        notify: {
          recipients: { sales_manager: { email: 'sales@example.com' }, director: { email: 'director@example.com' } },
        },
      }),
    );
    const startedAt = Date.now();
    const executionId = await client.trigger('discount_approval', {});

    const [assigned] = await smtp!.received.count(1, 20_000);
    expect(assigned).toMatchObject({ to: ['sales@example.com'] });
    expect(assigned!.subject).toBe('Task for you: Approve the 15% discount');
    expect(assigned!.raw).toContain(`human_${executionId}_approve`);

    const [, escalated] = await smtp!.received.count(2, 20_000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500);
    expect(escalated).toMatchObject({ to: ['director@example.com'] });
    expect(escalated!.subject).toBe('Escalated to you: Approve the 15% discount');

    await notifiersIdle(prefix);
    expect(smtp!.received.items.map((m) => m.to[0])).toEqual(['sales@example.com', 'director@example.com']);
  });
});
