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

/**
 * Signals that arrived while nothing waited on their key, kept so a wait
 * armed shortly after (within its lookback) still gets them. One entry per
 * key (`<p>_signals`, key encoded): the latest signal replaces an earlier
 * one. Bounded three ways, none of which scans anything: the bucket's ttl
 * expires entries on the server (and a read ignores an entry older than
 * `ttlMs`, in case the bucket was created with another ttl); a signal over
 * `maxSignalBytes` is not kept; and the bucket's `maxBytes` refuses new
 * entries when full (the ones it holds are never dropped for them).
 */
export class SignalBuffer {
  private constructor(
    private readonly records: KvRecords<BufferedSignal>,
    private readonly clock: Clock,
    readonly limits: SignalBufferLimits,
  ) {}

  /** Opens (creating if missing, with these limits) the buffer's bucket. */
  static async open(transport: Transport, n: Names, limits: SignalBufferLimits = DEFAULT_SIGNAL_BUFFER_LIMITS): Promise<SignalBuffer> {
    const kv = await transport.kv(n.buckets.signals, { ttlMs: limits.ttlMs, maxBytes: limits.maxBytes });
    return new SignalBuffer(kvRecords(kv, BufferedSignalSchema), transport.clock, limits);
  }

  /** Keeps `signal` as the key's latest, unless its message (`bytes` long) is too large or the buffer is full. */
  async put(key: string, signal: BufferedSignal, bytes: number): Promise<BufferOutcome> {
    if (bytes > this.limits.maxSignalBytes) return 'too_large';
    try {
      await this.records.put(encodeToken(key), signal);
      return 'buffered';
    } catch (err) {
      if (err instanceof KvBucketFullError) return 'full';
      throw err;
    }
  }

  /** The latest signal sent to a key while nothing waited on it, unless it expired. */
  async peek(key: string): Promise<BufferedSignal | undefined> {
    const signal = (await this.records.get(encodeToken(key)))?.value;
    return signal && this.clock.now() - signal.receivedAt < this.limits.ttlMs ? signal : undefined;
  }

  /** Forgets the buffered signal once delivered, unless a newer one replaced it meanwhile (compare-and-delete). */
  async clear(key: string, signalId: string): Promise<void> {
    await this.records.mutate(encodeToken(key), (current) => (current?.signalId === signalId ? DELETE_RECORD : undefined));
  }
}
