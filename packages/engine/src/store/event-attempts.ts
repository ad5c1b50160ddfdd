import type { Names } from '@squadflow/shared';
import { DELETE_RECORD, kvRecords, type Clock, type KvRecords, type Transport } from '@squadflow/transport';
import { z } from 'zod';

/** How long a counter outlives its last try (one left by an event that later went through another way). */
const ATTEMPTS_TTL_MS = 7 * 24 * 60 * 60 * 1000;

// Loose: a field a newer replica adds survives this one's rewrite.
const AttemptSchema = z.looseObject({
  /** Tries of the event that failed or never finished (a process died in them), this one included once begun. */
  count: z.number().int().nonnegative(),
  /** What the event is, for operators: `reply to step "charge" (attempt 1)`. */
  event: z.string(),
  /** The last failure's message, if a try failed rather than died. */
  error: z.string().optional(),
  at: z.number(),
});
export type Attempt = z.output<typeof AttemptSchema>;

/**
 * Counters of the tries of one event of one execution that did not succeed
 * (`<p>_attempts`, key `<execution id>.<event digest>`), written only off the
 * hot path: when a try fails, and before a try that may repeat an earlier
 * one that died (a redelivered message, a timer fired late). An event that
 * succeeds deletes its counter; leftovers expire after 7 days.
 */
export class EventAttempts {
  private constructor(
    private readonly records: KvRecords<Attempt>,
    private readonly clock: Clock,
  ) {}

  static async open(transport: Transport, n: Names): Promise<EventAttempts> {
    const kv = await transport.kv(n.buckets.attempts, { ttlMs: ATTEMPTS_TTL_MS });
    return new EventAttempts(kvRecords(kv, AttemptSchema), transport.clock);
  }

  /**
   * Counts a try that is about to start, before it starts, so a process that
   * dies in it has counted it. `assumePrior`: an earlier try left no counter
   * (its process died before anything was written): count it too.
   */
  async begin(key: string, event: string, assumePrior: boolean): Promise<Attempt> {
    const { record } = await this.records.mutate(key, (current) => ({
      ...current,
      count: (current?.count ?? (assumePrior ? 1 : 0)) + 1,
      event,
      at: this.clock.now(),
    }));
    return record!.value;
  }

  /** Records a failed try with its error; `begun`: the try was counted by `begin` already. */
  async fail(key: string, event: string, error: string, begun: boolean): Promise<Attempt> {
    const { record } = await this.records.mutate(key, (current) => ({
      count: begun ? Math.max(current?.count ?? 1, 1) : (current?.count ?? 0) + 1,
      event,
      error,
      at: this.clock.now(),
    }));
    return record!.value;
  }

  /** Takes back a begun try that failed for reasons outside the event (infrastructure): it does not count. */
  async forgive(key: string): Promise<void> {
    await this.records.mutate(key, (current) => {
      if (!current) return undefined;
      return current.count <= 1 ? DELETE_RECORD : { ...current, count: current.count - 1 };
    });
  }

  /** Forgets every counter of an execution (it left the hot store): a subject filter, no scan. */
  async forgetExecution(executionId: string): Promise<void> {
    for (const key of await this.records.keys(`${executionId}.*`)) await this.records.delete(key);
  }

  /** Forgets the event's tries: it went through (or its execution was quarantined). */
  async clear(key: string): Promise<void> {
    await this.records.mutate(key, (current) => (current ? DELETE_RECORD : undefined));
  }
}
