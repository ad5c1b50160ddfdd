import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

const LeaseSchema = z.object({ holder: z.string(), until: z.number() });
const KEY = 'lease.evaluator';

/**
 * Which evaluator looks this period. Each tick an evaluator takes the lease
 * if it is free, expired or its own (compare-and-set, so two never both
 * take it) and lets it lapse after `ttlMs`; the others skip the tick. Only
 * an efficiency measure: if two ever looked at once, the alert records'
 * own compare-and-set would still let each alert fire once.
 */
export class AlertLease {
  private readonly records: KvRecords<z.output<typeof LeaseSchema>>;

  constructor(
    kv: KvStore,
    private readonly holder: string,
  ) {
    this.records = kvRecords(kv, LeaseSchema);
  }

  /** Takes or renews the lease until `now + ttlMs`; false while another holder has it. */
  acquire(now: number, ttlMs: number): Promise<boolean> {
    return this.records.decide(KEY, (current) => {
      if (current && current.holder !== this.holder && current.until > now) return [undefined, false];
      return [{ holder: this.holder, until: now + ttlMs }, true] as const;
    });
  }
}
