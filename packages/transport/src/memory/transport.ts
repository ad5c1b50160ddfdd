import { SquadflowError, type Logger } from '@squadflow/shared';
import { systemClock, type Clock, type KvOptions, type KvStore, type Transport } from '../ports.ts';
import { DEFAULT_MAX_PAYLOAD } from '../defaults.ts';
import { MemoryBus } from './bus.ts';
import { validateBucketName } from '../subject-pattern.ts';
import { MemoryKv } from './kv.ts';
import { MemoryStreams } from './streams.ts';
import { MemoryServices } from './services.ts';

export interface MemoryTransportOptions {
  /** All time in the adapter (ack wait, nak delay, dedup window, max age, KV ttl) goes through it. Default: `systemClock`. */
  clock?: Clock;
  /** Receives handler failures (a throwing bus subscriber, a rejecting stream handler). */
  logger?: Logger;
  /** Largest message or KV value accepted, in bytes (default 1 MiB, NATS' default `max_payload`). */
  maxPayload?: number;
}

/** The memory transport, with its concrete `streams` (which add `info()` for diagnostics). */
export interface MemoryTransport extends Transport {
  readonly kind: 'memory';
  readonly streams: MemoryStreams;
  readonly services: MemoryServices;
  /** The bounds a bucket was created with (diagnostics; JetStream's `max_age` / `max_bytes`); null when no such bucket. */
  kvBounds(bucket: string): KvOptions | null;
}

/**
 * The embedded transport: streams, KV and pub/sub in this process, with the
 * JetStream semantics the NATS adapter has (both pass the same contract
 * suite). Nothing survives the process; use NATS for durability.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const clock = options.clock ?? systemClock;
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (!(Number.isInteger(maxPayload) && maxPayload > 0))
    throw new SquadflowError('INVALID_ARGUMENT', 'maxPayload must be a positive integer');
  const streams = new MemoryStreams(clock, options.logger, maxPayload);
  const bus = new MemoryBus(options.logger);
  const buckets = new Map<string, MemoryKv>();
  const bounds = new Map<string, KvOptions>();
  let closed = false;

  return {
    kind: 'memory',
    streams,
    bus,
    clock,
    maxPayload,
    services: new MemoryServices(),
    async kv(bucket: string, kvOptions: KvOptions = {}): Promise<KvStore> {
      if (closed) throw new SquadflowError('UNAVAILABLE', 'transport closed');
      validateBucketName(bucket);
      let kv = buckets.get(bucket);
      // Like Kvm.create: an existing bucket is opened as is, its ttl and size unchanged.
      if (!kv) {
        kv = new MemoryKv(bucket, clock, { ...kvOptions, maxPayload });
        buckets.set(bucket, kv);
        bounds.set(bucket, {
          ...(kvOptions.ttlMs ? { ttlMs: kvOptions.ttlMs } : {}),
          ...(kvOptions.maxBytes ? { maxBytes: kvOptions.maxBytes } : {}),
        });
      }
      return kv;
    },
    async removeKv(bucket: string): Promise<void> {
      buckets.get(bucket)?.dispose();
      buckets.delete(bucket);
      bounds.delete(bucket);
    },
    kvBounds: (bucket) => bounds.get(bucket) ?? null,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      streams.close();
      bus.close();
      for (const kv of buckets.values()) kv.dispose();
      buckets.clear();
    },
  };
}
