/**
 * Alerts and notifications on `/metrics` (docs/alerts.md), read at scrape
 * time from two small buckets, never from execution records:
 * `squadflow_alerts_firing{rule}` (alerts firing now) and
 * `squadflow_alerts_fired_total{rule}` from the evaluator's alert records
 * (`<p>_alerts`), and `squadflow_notifications_total{channel,outcome}`
 * (`sent`, `retried`, `failed`) from the notifier's counters in its ledger
 * (`<p>_notify`, keys `c.<channel>.<outcome>`, written by
 * packages/squads/src/notifier/ledger.ts).
 */
import { AlertStates } from '@squadflow/engine';
import { NOTIFY_LEDGER_TTL_MS, type Logger, type Names } from '@squadflow/shared';
import type { KvStore, Transport } from '@squadflow/transport';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';

const CounterRecord = z.object({ count: z.number().int().nonnegative() });

export class AlertGauges {
  private readonly firing: Gauge<'rule'>;
  private readonly fired: Counter<'rule'>;
  private readonly notifications: Counter<'channel' | 'outcome'>;
  private buckets: Promise<{ alerts: AlertStates; notify: KvStore }> | undefined;
  private warned = false;

  constructor(
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.firing = new Gauge({
      name: 'squadflow_alerts_firing',
      help: 'Alerts firing now, by rule',
      labelNames: ['rule'],
      registers: [registry],
    });
    this.fired = new Counter({
      name: 'squadflow_alerts_fired_total',
      help: 'Times alerts began firing, by rule',
      labelNames: ['rule'],
      registers: [registry],
    });
    this.notifications = new Counter({
      name: 'squadflow_notifications_total',
      help: 'Notification delivery tries by channel and outcome (sent, retried, failed)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
  }

  /** Replaces the values with what the buckets hold; a bucket this gateway may not read leaves them empty (warned once). */
  async update(transport: Transport, names: Names): Promise<void> {
    this.buckets ??= Promise.all([
      transport.kv(names.buckets.alerts),
      transport.kv(names.buckets.notifications, { ttlMs: NOTIFY_LEDGER_TTL_MS }),
    ]).then(([alerts, notify]) => ({
      alerts: new AlertStates(alerts),
      notify,
    }));
    try {
      const { alerts, notify } = await this.buckets;
      const [states, counters] = await Promise.all([alerts.list(), notify.entries('c.*.*')]);
      for (const m of [this.firing, this.fired, this.notifications]) m.reset();
      for (const s of states) {
        this.firing.inc({ rule: s.rule }, s.state === 'firing' ? 1 : 0);
        this.fired.inc({ rule: s.rule }, s.fired);
      }
      for (const entry of counters) {
        const [, channel = '', outcome = ''] = entry.key.split('.');
        const parsed = CounterRecord.safeParse(JSON.parse(new TextDecoder().decode(entry.value)));
        if (parsed.success) this.notifications.inc({ channel, outcome }, parsed.data.count);
      }
    } catch (err) {
      this.buckets = undefined;
      if (!this.warned) this.logger.warn({ err }, 'alert metrics unavailable (the alerts or notify bucket cannot be read)');
      this.warned = true;
    }
  }
}
