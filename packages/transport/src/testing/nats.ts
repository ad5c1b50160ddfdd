/**
 * Helpers for tests against the shared NATS server: the URL from the global
 * setup, unique prefixes so concurrent runs never collide, and cleanup that
 * deletes every stream and KV bucket a prefix owns.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { kvStreamName, names } from '@squadflow/shared';
import { inject } from 'vitest';
import { connectNatsTransport, parseServers } from '../adapters.ts';
import type { Clock, KvOptions, Transport } from '../ports.ts';
import type { MemoryTransport } from '../memory/transport.ts';

/** The NATS URL resolved by `global-setup.ts`. */
export function natsUrl(): string {
  const url = inject('natsUrl');
  if (!url) throw new Error('natsUrl was not provided: is test/support/global-setup.ts configured as globalSetup?');
  return url;
}

let counter = 0;

/**
 * A fresh prefix matching `^[a-z][a-z0-9_]{0,31}$` (the `names()` rule):
 * `<label>_<10 random chars>`. Streams named `<PREFIX>...` and buckets
 * named `<prefix>...` belong to it and are removed by `cleanupPrefix`.
 */
export function uniquePrefix(label = 't'): string {
  let clean = label.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(clean)) clean = `t${clean}`;
  counter = (counter + 1) % 1296;
  const random = (randomBytes(8).readBigUInt64BE() % 36n ** 8n).toString(36).padStart(8, '0') + counter.toString(36).padStart(2, '0');
  return `${clean.slice(0, 32 - random.length - 1)}_${random}`;
}

/** What a fault test reads of a durable consumer: work still held, and work delivered more than once. */
export interface ConsumerCounts {
  /** Delivered and neither acked nor nacked: the server redelivers these after AckWait. */
  ackPending: number;
  /** Messages delivered more than once so far. */
  redelivered: number;
  /** Messages not yet delivered. */
  pending: number;
}

/** Reads a durable consumer's counts from the server (JetStream consumer info). */
export async function consumerCounts(stream: string, durable: string, url = natsUrl()): Promise<ConsumerCounts> {
  const { servers, user, pass } = parseServers(url);
  const nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}), noAsyncTraces: true });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(stream, durable);
    return { ackPending: info.num_ack_pending, redelivered: info.num_redelivered, pending: info.num_pending };
  } finally {
    await nc.close();
  }
}

/** Names of every consumer of a stream, durable or ephemeral (a test checks that nothing was left behind). */
export async function consumerNames(stream: string, url = natsUrl()): Promise<string[]> {
  const { servers, user, pass } = parseServers(url);
  const nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}), noAsyncTraces: true });
  try {
    const found: string[] = [];
    for await (const c of (await jetstreamManager(nc)).consumers.list(stream)) found.push(c.name);
    return found;
  } finally {
    await nc.close();
  }
}

/** Deletes every stream the prefix owns (`names(prefix).ownsStream`: `<PREFIX>_...` and `KV_<prefix>_...`; consumers go with them). */
export async function cleanupPrefix(prefix: string, url = natsUrl()): Promise<string[]> {
  const { servers, user, pass } = parseServers(url);
  const nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}), noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const n = names(prefix);
    const owned: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (n.ownsStream(name)) owned.push(name);
    }
    await Promise.all(owned.map((name) => jsm.streams.delete(name).catch(() => false)));
    return owned;
  } finally {
    await nc.close();
  }
}

export interface NatsTestTransport {
  transport: Transport;
  prefix: string;
  /** Closes the transport and deletes everything the prefix owns. */
  cleanup(): Promise<void>;
}

/** A NATS transport plus a unique prefix to name streams and buckets with; `clock` for a manual one (timers of the engine). */
export async function withNatsTransport(label?: string, options: { clock?: Clock } = {}): Promise<NatsTestTransport> {
  const prefix = uniquePrefix(label);
  const transport = await connectNatsTransport({ servers: natsUrl(), name: `test-${prefix}`, ...options });
  return {
    transport,
    prefix,
    cleanup: async () => {
      await transport.close();
      await cleanupPrefix(prefix);
    },
  };
}

/**
 * The bounds a bucket has, read from where it lives: the NATS server's
 * stream config (`max_age`, `max_bytes`) or the memory adapter's record of
 * its creation. Null when the bucket does not exist. For tests that check
 * every bucket has the bound the docs give it (docs/retention.md).
 */
export async function kvBounds(transport: Transport, bucket: string): Promise<KvOptions | null> {
  if (transport.kind === 'memory') return (transport as MemoryTransport).kvBounds(bucket);
  const { servers, user, pass } = parseServers(natsUrl());
  const nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}), noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(kvStreamName(bucket)).catch(() => null);
    if (!info) return null;
    const ttlMs = Math.round(info.config.max_age / 1e6);
    const maxBytes = info.config.max_bytes;
    return { ...(ttlMs > 0 ? { ttlMs } : {}), ...(maxBytes > 0 ? { maxBytes } : {}) };
  } finally {
    await nc.close();
  }
}
