import { encodeToken, type Names } from '@squadflow/shared';
import { DELETE_RECORD, KvBucketFullError, kvRecords, type Clock, type KvRecords, type Transport } from '@squadflow/transport';
import { z } from 'zod';

// Loose: a field a newer replica adds survives this one's rewrite.
const BufferedSignalSchema = z.looseObject({
  signalId: z.string(),
  data: z.unknown().optional(),
  receivedAt: z.number(),
});
export type BufferedSignal = z.output<typeof BufferedSignalSchema>;

/** How long and how much the buffer keeps. */
export interface SignalBufferLimits {
  /** A buffered signal is forgotten this long after it arrived (the bucket's ttl). */
  ttlMs: number;
  /** A signal message larger than this (its bytes on the wire) is not buffered. */
  maxSignalBytes: number;
  /** Bytes the whole buffer may hold; beyond, new signals are not buffered. */
  maxBytes: number;
}

export const DEFAULT_SIGNAL_BUFFER_LIMITS: SignalBufferLimits = {
  ttlMs: 24 * 60 * 60 * 1000,
  maxSignalBytes: 64 * 1024,
  maxBytes: 64 * 1024 * 1024,
};

/** What became of a signal offered to the buffer. */
export type BufferOutcome = 'buffered' | 'too_large' | 'full';

/** Signals one key keeps at most: a conversation's messages that came while its answer step ran. */
export const MAX_SIGNALS_PER_KEY = 32;
/** Bytes (JSON) one key's queue may hold: one KV value, well under NATS's default max payload. */
export const MAX_QUEUE_BYTES = 512 * 1024;

// A queue, oldest first. A record an older replica wrote (one signal, which the latest replaced) reads as a queue of one.
const QueueSchema = z.union([z.array(BufferedSignalSchema), BufferedSignalSchema.transform((signal) => [signal])]);
type Queue = BufferedSignal[];

/**
 * Signals that arrived while nothing waited on their key, kept so a wait
 * armed shortly after (within its lookback) still gets them. One record per
 * key (`<p>_signals`, key encoded) holding the key's signals in arrival
 * order: each wait armed takes the oldest, so messages sent in a burst reach
 * successive waits one by one, none replaced by the next. Bounded without
 * scanning anything: the bucket's ttl expires records on the server (and a
 * read ignores a signal older than `ttlMs`, in case the bucket was created
 * with another ttl); a signal over `maxSignalBytes` is not kept; a key keeps
 * at most {@link MAX_SIGNALS_PER_KEY} signals and {@link MAX_QUEUE_BYTES};
 * and the bucket's `maxBytes` refuses new entries when full (what it holds is
 * never dropped for them).
 */
export class SignalBuffer {
  private constructor(
    private readonly records: KvRecords<Queue>,
    private readonly clock: Clock,
    readonly limits: SignalBufferLimits,
  ) {}

  /** Opens (creating if missing, with these limits) the buffer's bucket. */
  static async open(transport: Transport, n: Names, limits: SignalBufferLimits = DEFAULT_SIGNAL_BUFFER_LIMITS): Promise<SignalBuffer> {
    const kv = await transport.kv(n.buckets.signals, { ttlMs: limits.ttlMs, maxBytes: limits.maxBytes });
    return new SignalBuffer(kvRecords(kv, QueueSchema) as KvRecords<Queue>, transport.clock, limits);
  }

  /**
   * Appends `signal` to the key's queue (compare-and-set), unless its message
   * (`bytes` long) is too large, the key's queue or the bucket is full. A
   * signal id the queue holds already (a redelivery) is not added twice.
   */
  async put(key: string, signal: BufferedSignal, bytes: number): Promise<BufferOutcome> {
    if (bytes > this.limits.maxSignalBytes) return 'too_large';
    let outcome: BufferOutcome = 'buffered';
    try {
      await this.records.mutate(encodeToken(key), (current) => {
        const queue = this.live(current);
        outcome = 'buffered';
        if (queue.some((s) => s.signalId === signal.signalId)) return undefined;
        const next = [...queue, signal];
        // The first signal of a key is always kept (its size is bounded by maxSignalBytes).
        if (queue.length && (next.length > MAX_SIGNALS_PER_KEY || JSON.stringify(next).length > MAX_QUEUE_BYTES)) {
          outcome = 'full';
          return undefined;
        }
        return next;
      });
      return outcome;
    } catch (err) {
      if (err instanceof KvBucketFullError) return 'full';
      throw err;
    }
  }

  /** The oldest signal sent to a key while nothing waited on it and received at or after `since`, unless it expired. */
  async peek(key: string, since = 0): Promise<BufferedSignal | undefined> {
    const queue = this.live((await this.records.get(encodeToken(key)))?.value ?? null);
    return queue.find((s) => s.receivedAt >= since);
  }

  /** Forgets one buffered signal once delivered (compare-and-set: signals appended meanwhile stay). */
  async clear(key: string, signalId: string): Promise<void> {
    await this.records.mutate(encodeToken(key), (current) => {
      if (!current?.some((s) => s.signalId === signalId)) return undefined;
      const rest = current.filter((s) => s.signalId !== signalId);
      return rest.length ? rest : DELETE_RECORD;
    });
  }

  private live(queue: Queue | null): Queue {
    const now = this.clock.now();
    return (queue ?? []).filter((s) => now - s.receivedAt < this.limits.ttlMs);
  }
}
