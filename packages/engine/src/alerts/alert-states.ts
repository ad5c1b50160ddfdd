import { AlertEventSchema, type AlertEvent } from '@squadflow/shared';
import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';
import type { AlertObservation } from './rule-observations.ts';

const AlertStateSchema = z.object({
  state: z.enum(['firing', 'resolved']),
  rule: z.string(),
  /** How many times this alert fired (its counter; part of event ids). */
  fired: z.number().int().nonnegative(),
  /** The event of the last change, and whether it went out: an unpublished one is published by the next look. */
  event: AlertEventSchema,
  published: z.boolean(),
});
export type AlertState = z.output<typeof AlertStateSchema>;

/** Alert records are `a.<rule>.<what>` (the lease lives beside them, alert-lease.ts). */
const PREFIX = 'a.';

/**
 * One record per alert in `<p>_alerts`, changed only by compare-and-set:
 * when two evaluators see the same condition, one wins the change from
 * resolved to firing and the other finds it firing already, so an alert
 * fires once however many replicas look. The change is stored with its
 * event before the event is published (compute, persist, act): a crash
 * between the two leaves `published: false`, and whoever looks next
 * publishes it with the same id (JetStream's dedup window and the
 * notifier's ledger drop a repeat).
 */
export class AlertStates {
  private readonly records: KvRecords<AlertState>;

  constructor(kv: KvStore) {
    this.records = kvRecords(kv, AlertStateSchema);
  }

  /** Every alert's record (the gateway's metrics read these). */
  async list(): Promise<Array<AlertState & { key: string }>> {
    return (await this.records.entries(`${PREFIX}>`)).map(({ key, value }) => ({ key: key.slice(PREFIX.length), ...value }));
  }

  /** Marks the alert firing unless it is; returns whether this call made it fire. */
  fire(obs: AlertObservation, now: number): Promise<boolean> {
    return this.records.decide(PREFIX + obs.alert, (current) => {
      if (current?.state === 'firing') return [undefined, false];
      const fired = (current?.fired ?? 0) + 1;
      const event = eventOf(obs, 'alert.firing', fired, now, now);
      return [{ state: 'firing', rule: obs.rule.id, fired, event, published: false }, true] as const;
    });
  }

  /** Resolves every firing alert of `rule` not among `active`; returns the alerts it resolved. */
  async resolveOthers(rule: string, active: ReadonlySet<string>, now: number): Promise<string[]> {
    const resolved: string[] = [];
    for (const { key, value } of await this.records.entries(`${PREFIX}${rule}.>`)) {
      const alert = key.slice(PREFIX.length);
      if (value.state !== 'firing' || active.has(alert)) continue;
      const changed = await this.records.decide(key, (current) => {
        if (current?.state !== 'firing') return [undefined, false];
        const event: AlertEvent = { ...current.event, id: `${alert}.${current.fired}.resolved`, type: 'alert.resolved', at: now };
        return [{ ...current, state: 'resolved', event, published: false }, true] as const;
      });
      if (changed) resolved.push(alert);
    }
    return resolved;
  }

  /** Publishes every stored change not yet published, then marks it (a lost compare-and-set means a newer change: left to it). */
  async publishPending(publish: (event: AlertEvent) => Promise<void>): Promise<number> {
    let sent = 0;
    for (const record of await this.records.entries(`${PREFIX}>`)) {
      if (record.value.published) continue;
      await publish(record.value.event);
      sent++;
      await this.records.mutate(
        record.key,
        (current) => (current && current.event.id === record.value.event.id ? { ...current, published: true } : undefined),
        {
          initial: record,
        },
      );
    }
    return sent;
  }
}

function eventOf(obs: AlertObservation, type: AlertEvent['type'], fired: number, since: number, at: number): AlertEvent {
  return {
    id: `${obs.alert}.${fired}.${type === 'alert.firing' ? 'firing' : 'resolved'}`,
    type,
    alert: obs.alert,
    rule: obs.rule.id,
    kind: obs.rule.kind,
    severity: obs.rule.severity,
    summary: obs.summary,
    ...(obs.workflow === undefined ? {} : { workflow: obs.workflow }),
    ...(obs.breaker === undefined ? {} : { breaker: obs.breaker }),
    value: obs.value,
    threshold: obs.threshold,
    ...(obs.executions === undefined ? {} : { executions: obs.executions }),
    ...(obs.recipients?.length ? { recipients: obs.recipients } : {}),
    since,
    at,
  };
}
