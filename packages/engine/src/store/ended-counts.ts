import { decodeToken, encodeToken, TERMINAL_STATUSES, type Logger, type TerminalStatus } from '@squadflow/shared';
import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

/** Stored ended executions of one workflow in one end status. */
export interface EndedCount {
  workflow: string;
  status: TerminalStatus;
  count: number;
}

const CountSchema = z.number().int();

/**
 * How many ended executions are stored, per end status and workflow:
 * counters in the index bucket (`count.<status>.<workflow token>`), so
 * metrics read one key per workflow and status instead of one per
 * execution. An end adds one, the retention sweeper's removal takes it
 * back. Counted after the record's write landed (the execution store's
 * `after`), so a process that dies between the two leaves the count one
 * short; such a count is corrected by nothing but it never drifts further
 * (docs/metrics.md).
 */
export class EndedCounts {
  private readonly counts: KvRecords<number>;
  /** Deltas not yet written, per key; a key present here has a flush running. */
  private readonly pending = new Map<string, number>();
  private readonly flushes = new Set<Promise<void>>();

  constructor(
    kv: KvStore,
    private readonly logger?: Logger,
  ) {
    this.counts = kvRecords(kv, CountSchema);
  }

  /**
   * Adds `delta` in the background; never throws (it runs off the critical
   * path). Deltas to one key are coalesced into one compare-and-set at a
   * time: hundreds of executions of one workflow end each second, and as
   * many concurrent compare-and-sets on one key would mostly lose.
   */
  add(status: TerminalStatus, workflow: string, delta: number): void {
    const key = keyOf(status, workflow);
    const running = this.pending.has(key);
    this.pending.set(key, (this.pending.get(key) ?? 0) + delta);
    if (running) return;
    const flush = this.flush(key).finally(() => this.flushes.delete(flush));
    this.flushes.add(flush);
  }

  /** Resolves once every delta added so far is written (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.flushes.size) await Promise.all([...this.flushes]);
  }

  private async flush(key: string): Promise<void> {
    for (let delta = this.pending.get(key) ?? 0; delta !== 0; delta = this.pending.get(key) ?? 0) {
      this.pending.set(key, 0);
      try {
        await this.counts.mutate(key, (n) => Math.max(0, (n ?? 0) + delta));
      } catch (err) {
        this.logger?.warn({ err, key, delta }, 'ended counts: a count was not updated');
      }
    }
    this.pending.delete(key);
  }

  /** Every count (one key per workflow and end status ever seen). */
  async all(): Promise<EndedCount[]> {
    const out: EndedCount[] = [];
    for (const r of await this.counts.entries('count.*.*')) {
      const [, status, workflow] = r.key.split('.') as [string, string, string];
      if ((TERMINAL_STATUSES as ReadonlySet<string>).has(status))
        out.push({ status: status as TerminalStatus, workflow: decodeToken(workflow), count: r.value });
    }
    return out;
  }

  /** Sets the counts outright (the one-time backfill over records that predate them). */
  async set(counts: readonly EndedCount[]): Promise<void> {
    for (const c of counts) await this.counts.put(keyOf(c.status, c.workflow), c.count);
  }
}

const keyOf = (status: TerminalStatus, workflow: string): string => `count.${status}.${encodeToken(workflow)}`;
