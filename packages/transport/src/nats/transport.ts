import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { kvStreamName, type Logger } from '@squadflow/shared';
import { systemClock, type Clock, type KvOptions, type KvStore, type Transport } from '../ports.ts';
import { validateBucketName } from '../subject-pattern.ts';
import { NatsBus } from './bus.ts';
import { coalesceWrites } from './coalesced-writes.ts';
import { registerNatsConnection } from './connection-of.ts';
import { ApiCodes, isApiError, isStreamNotFound, replicasRefused } from './errors.ts';
import { NatsKv } from './kv.ts';
import { PipelinedRequester } from './pipelined-requester.ts';
import { NatsStreams } from './streams.ts';
import { NatsServices } from './services.ts';

export interface NatsTransportOptions {
  /**
   * `nats://host:port`, a list, or a comma-separated list. `nats://user:pass@host:port` credentials are honoured;
   * with a user, request replies come on `_INBOX_<user>.>` (what the least-privilege config of deploy/nats allows).
   */
  servers: string | string[];
  /** Connection name shown by the server (monitoring, `nats server report connections`). */
  name?: string;
  /** Exposed as `transport.clock`; ack wait and expiry run on the server's clock. Default: `systemClock`. */
  clock?: Clock;
  logger?: Logger;
  /**
   * How long a stream publish or KV write waits for the server's
   * acknowledgement before it fails with `RequestTimeoutError` (default 10 s).
   * The write may still have happened: callers make it idempotent.
   */
  requestTimeoutMs?: number;
  /**
   * JetStream replicas (`num_replicas`) of every stream and KV bucket this
   * transport creates (default 1). 3 on a cluster of three JetStream servers
   * (docker-compose.cluster.yml); more than 1 on a single server fails the
   * create with `INVALID_CONFIG`. See docs/deploy.md.
   */
  replicas?: number;
}

export interface FromConnectionOptions {
  clock?: Clock;
  logger?: Logger;
  /** See `NatsTransportOptions.requestTimeoutMs`. */
  requestTimeoutMs?: number;
  /** Drain the connection in `close()` (default true: the transport owns it). */
  closeConnection?: boolean;
  /** See `NatsTransportOptions.replicas`. */
  replicas?: number;
}

/**
 * Connects to NATS and returns the JetStream-backed transport. Reconnects
 * forever: a durable engine should outlive a server restart.
 */
export async function connectNatsTransport(options: NatsTransportOptions): Promise<Transport> {
  const { servers, user, pass } = parseServers(options.servers);
  const nc = await connect({
    servers,
    ...(options.name ? { name: options.name } : {}),
    ...(user !== undefined ? { user, pass } : {}),
    // An authenticated service gets replies on an inbox of its own, which its NATS permissions let it read (and no one
    // else: deploy/nats, docs/security.md); the shared `_INBOX.>` would let any service read every other's replies.
    ...(user !== undefined && /^[A-Za-z0-9_-]+$/.test(user) ? { inboxPrefix: `_INBOX_${user}` } : {}),
    // Async stack traces cost ~20% publish throughput.
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
  });
  // One socket write per event-loop turn instead of one per microtask checkpoint (see coalesced-writes.ts).
  if (!coalesceWrites(nc)) options.logger?.warn('nats.js internals changed: socket writes are not coalesced');
  return fromNatsConnection(nc, { ...options, closeConnection: true });
}

/** Builds the transport over an existing connection (e.g. one shared with other code). */
export async function fromNatsConnection(nc: NatsConnection, options: FromConnectionOptions = {}): Promise<Transport> {
  const { logger } = options;
  const js = jetstream(nc);
  const jsm = await js.jetstreamManager();
  const kvm = new Kvm(js);
  // Every stream publish and KV write of this transport is a request through
  // this one reply subscription (see PipelinedRequester for why).
  const requester = new PipelinedRequester(nc, {
    inboxPrefix: inboxPrefixOf(nc),
    ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
  });
  const replicas = options.replicas ?? 1;
  const streams = new NatsStreams({ nc, js, jsm, ...(logger ? { logger } : {}) }, requester, replicas);
  const buckets = new Map<string, Promise<KvStore>>();
  let closed = false;
  void logStatus(nc, logger);

  const openBucket = async (bucket: string, { ttlMs, maxBytes }: KvOptions): Promise<KvStore> => {
    // `max_bytes` with the discard-new policy Kvm sets: a full bucket refuses writes rather than dropping entries.
    // An existing bucket keeps its replicas (change them with `nats stream edit KV_<bucket> --replicas`: docs/deploy.md).
    const opts = { history: 1, replicas, ...(ttlMs ? { ttl: ttlMs } : {}), ...(maxBytes ? { max_bytes: maxBytes } : {}) };
    try {
      return new NatsKv(bucket, await kvm.create(bucket, opts), requester, jsm);
    } catch (err) {
      // Another process created it first with a different config: use theirs, like an existing bucket.
      if (isApiError(err, ApiCodes.StreamNameInUse)) return new NatsKv(bucket, await kvm.open(bucket), requester, jsm);
      // Two creates at the same moment: NATS 2.9 may tell the loser the subjects overlap (the winner's stream holds them).
      // Open the bucket; if it is not there, another stream really holds its subjects: report the overlap.
      if (isApiError(err, ApiCodes.StreamSubjectOverlap)) {
        const exists = await jsm.streams.info(kvStreamName(bucket)).then(
          () => true,
          () => false,
        );
        if (exists) return new NatsKv(bucket, await kvm.open(bucket), requester, jsm);
      }
      throw replicasRefused(err, kvStreamName(bucket), replicas) ?? err;
    }
  };

  const transport: Transport = {
    kind: 'nats',
    streams,
    bus: new NatsBus(nc, logger),
    services: new NatsServices(nc, logger),
    clock: options.clock ?? systemClock,
    get maxPayload() {
      return requester.maxPayload;
    },
    kv(bucket: string, kvOptions: KvOptions = {}): Promise<KvStore> {
      validateBucketName(bucket);
      let store = buckets.get(bucket);
      if (!store) {
        store = openBucket(bucket, kvOptions);
        buckets.set(bucket, store);
        store.catch(() => buckets.delete(bucket));
      }
      return store;
    },
    async removeKv(bucket: string): Promise<void> {
      buckets.delete(bucket);
      try {
        await jsm.streams.delete(kvStreamName(bucket));
      } catch (err) {
        if (!isStreamNotFound(err)) throw err;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await streams.stopAll();
      // Writes already sent get their acknowledgement (or time out) before
      // the reply subscription goes away; later writes are refused.
      await requester.drain();
      if (options.closeConnection !== false && !nc.isClosed()) await nc.drain();
    },
  };
  registerNatsConnection(transport, nc);
  return transport;
}

/**
 * Splits a server list and lifts `user:pass@` out of the URLs: the v3
 * client ignores credentials embedded in a server URL.
 */
export function parseServers(input: string | string[]): { servers: string[]; user?: string; pass?: string } {
  const list = (Array.isArray(input) ? input : input.split(',')).map((s) => s.trim()).filter(Boolean);
  let user: string | undefined;
  let pass: string | undefined;
  const servers = list.map((server) => {
    if (!server.includes('@')) return server;
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    if (url.username) {
      user = decodeURIComponent(url.username);
      pass = decodeURIComponent(url.password);
    }
    return `${url.protocol}//${url.host}`;
  });
  return { servers, ...(user !== undefined ? { user, pass } : {}) };
}

/** The connection's `inboxPrefix` option (not on the `NatsConnection` type): permissions may only allow replies under it. */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  const prefix = (nc as NatsConnection & { options?: { inboxPrefix?: unknown } }).options?.inboxPrefix;
  return typeof prefix === 'string' && prefix !== '' ? prefix : undefined;
}

async function logStatus(nc: NatsConnection, logger?: Logger): Promise<void> {
  if (!logger) return;
  for await (const s of nc.status()) {
    if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') logger.warn({ status: s }, 'nats connection status');
    else logger.debug({ status: s }, 'nats connection status');
  }
}
