import { encodeToken } from '@squadflow/shared';
import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';
import type { ChannelName } from './port.ts';

const DeliveryRecordSchema = z.object({
  status: z.enum(['pending', 'sent', 'failed']),
  /** Tries so far. */
  attempts: z.number().int().nonnegative(),
  at: z.number(),
  error: z.string().optional(),
});
export type DeliveryRecord = z.output<typeof DeliveryRecordSchema>;

const CounterSchema = z.object({ count: z.number().int().nonnegative() });

/** What happened to one delivery try, as counted (`squadflow_notifications_total{channel,outcome}`). */
export type DeliveryOutcome = 'sent' | 'retried' | 'failed';

/**
 * The notifier's delivery ledger (`<p>_notify`): one record per event,
 * recipient and channel (`d.<event>.<recipient>.<channel>`, tokens encoded),
 * written after each try. A redelivered event (a restart, a lost ack, NATS
 * 2.9 redelivering acknowledged messages after a crash) finds `sent` or
 * `failed` and sends nothing again. Counters (`c.<channel>.<outcome>`) are
 * compare-and-set increments, read by the gateway's /metrics.
 */
export class DeliveryLedger {
  private readonly records: KvRecords<DeliveryRecord>;
  private readonly counters: KvRecords<z.output<typeof CounterSchema>>;

  constructor(kv: KvStore) {
    this.records = kvRecords(kv, DeliveryRecordSchema);
    this.counters = kvRecords(kv, CounterSchema);
  }

  static key(eventId: string, recipient: string, channel: ChannelName): string {
    return `d.${encodeToken(eventId)}.${encodeToken(recipient)}.${channel}`;
  }

  async get(key: string): Promise<DeliveryRecord | null> {
    return (await this.records.get(key))?.value ?? null;
  }

  async put(key: string, record: DeliveryRecord): Promise<void> {
    await this.records.put(key, record);
  }

  async count(channel: ChannelName, outcome: DeliveryOutcome): Promise<void> {
    await this.counters.mutate(`c.${channel}.${outcome}`, (current) => ({ count: (current?.count ?? 0) + 1 }));
  }

  /** Every counter: `{ channel, outcome, count }`. */
  async counts(): Promise<Array<{ channel: string; outcome: string; count: number }>> {
    return (await this.counters.entries('c.*.*')).map(({ key, value }) => {
      const [, channel = '', outcome = ''] = key.split('.');
      return { channel, outcome, count: value.count };
    });
  }

  /** Every delivery record (tests, inspection). */
  async deliveries(): Promise<Array<{ key: string } & DeliveryRecord>> {
    return (await this.records.entries('d.>')).map(({ key, value }) => ({ key, ...value }));
  }
}
