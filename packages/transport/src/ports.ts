/**
 * The ports the orchestrator and the squad runtime need from infrastructure.
 * Two adapters implement them: in-memory (the embedded default) and NATS
 * (JetStream streams + KV). Both pass the same contract suite
 * (test/contract/ports.contract.ts), so the embedded mode cannot drift.
 */
import type { ServiceDirectory } from './services.ts';
import { wallClock } from './wall-clock.ts';

/** One stored value and the revision it was stored at. */
export interface KvEntry {
  key: string;
  value: Uint8Array;
  revision: number;
}

/**
 * A key/value bucket with compare-and-set. Keys use the NATS KV grammar
 * (`[A-Za-z0-9_=/-]` and `.` separators); callers encode outside strings.
 */
export interface KvStore {
  readonly bucket: string;
  get(key: string): Promise<KvEntry | null>;
  /** Writes only if the key does not exist (or was deleted); throws `KvConflictError` otherwise. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Writes only if the key is at `revision`; throws `KvConflictError` otherwise. */
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  put(key: string, value: Uint8Array): Promise<number>;
  /**
   * Deletes the key (a delete marker, as JetStream writes). With `revision`,
   * only if the key is still at that revision: throws `KvConflictError`
   * otherwise, so a reader that decided to delete never deletes a newer write.
   */
  delete(key: string, options?: { revision?: number }): Promise<void>;
  /**
   * Removes the key with its history, leaving no delete marker (JetStream: a
   * purge of the key's subject). For buckets whose keys are listed by
   * pattern: a `delete` leaves a marker that every later listing of a
   * matching pattern still walks (on NATS 2.9 a marker is the subject's last
   * message until it is purged), so listing would cost every key ever
   * written; after `forget` it costs the keys present. No compare-and-set.
   */
  forget(key: string): Promise<void>;
  /** Keys currently present, optionally filtered by a NATS wildcard pattern (`a.*`, `a.>`). */
  keys(filter?: string): Promise<string[]>;
  /** Entries currently present (value and revision), filtered like `keys`: a scan without a get per key afterwards. */
  entries(filter?: string): Promise<KvEntry[]>;
}

/** Thrown by `create`/`update` when the compare-and-set fails. */
export class KvConflictError extends Error {
  override readonly name = 'KvConflictError';
  readonly code = 'CONFLICT';
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`compare-and-set failed for ${bucket}/${key}`, options);
  }
}

export interface PublishOptions {
  /** Deduplication id (JetStream `Nats-Msg-Id`): a second publish with the same id within the window is dropped. */
  msgId?: string;
  /**
   * Message headers delivered with the message (W3C `traceparent` /
   * `tracestate` for tracing). Lower-case names; they count against
   * `maxPayload` like the data. Not for the transport's own headers
   * (`Nats-Msg-Id` is `msgId`).
   */
  headers?: Readonly<Record<string, string>>;
}

/** A message delivered by a durable consumer; settle it exactly once. */
export interface DeliveredMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** 1 on first delivery. Informational only: never rely on it for exactly-once. */
  readonly deliveryCount: number;
  /** A header the publisher set (`PublishOptions.headers`), by its exact (lower-case) name; undefined when absent. */
  header(name: string): string | undefined;
  ack(): void;
  /** Redeliver later (after `delayMs`, default: at once). */
  nak(delayMs?: number): void;
  /** Never redeliver. */
  term(): void;
  /** Extends the ack deadline (long-running work). */
  working(): void;
}

export interface ConsumerOptions {
  /** Durable consumer name: replicas with the same name share the messages. */
  durable: string;
  filterSubject: string;
  /** Unacknowledged messages in flight at once (default 256). */
  maxAckPending?: number;
  /** Redelivery after this long without an ack (default 30 s). */
  ackWaitMs?: number;
  /**
   * Deliveries of one message after which the server stops redelivering it
   * (JetStream `max_deliver`; default: no limit). A backstop only: a message
   * that reaches it stays in the stream unacknowledged, so handlers should
   * settle poison messages themselves well before.
   */
  maxDeliver?: number;
}

export interface Consumer {
  /**
   * Stops delivering; in-flight handlers may still settle their messages. On
   * NATS it drains: messages the server already sent are handed over before
   * it resolves (so none waits out AckWait), which may take up to a second.
   */
  stop(): Promise<void>;
}

export interface StreamConfig {
  name: string;
  subjects: string[];
  /** `workqueue`: a message is removed once acked; `limits`: kept until `maxAgeMs`. */
  retention: 'workqueue' | 'limits';
  maxAgeMs?: number;
  /** Window for `msgId` dedup (default 2 min). */
  duplicateWindowMs?: number;
  /**
   * Messages the stream may hold (JetStream `max_msgs` with discard-new): a
   * publish beyond it is refused with `StreamFullError`, nothing stored is
   * dropped. Unset: `ensure` sets no limit on a new stream and leaves an
   * existing stream's limit as it is (a process started without the
   * setting does not undo it). There is deliberately no byte limit: on
   * NATS 2.9 `max_bytes` with discard-new acknowledges messages and then
   * drops the oldest stored ones (nats-server#4771, #4775; seen here).
   */
  maxMsgs?: number;
}

/** A durable consumer's backlog (JetStream consumer info), for monitoring back-pressure. */
export interface ConsumerBacklog {
  stream: string;
  durable: string;
  /** Delivered and not yet acknowledged. */
  ackPending: number;
  /** The consumer's `max_ack_pending`: at it, the server delivers nothing more until an ack. */
  maxAckPending: number;
  /** Stored, matching the consumer's filter, not yet delivered. */
  pending: number;
  /** Delivered more than once and not yet acknowledged. */
  redelivered: number;
}

/** One message as a stream stored it (read back by `Streams.last` / `Streams.read`). */
export interface StoredStreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  /** When the stream stored it (epoch ms). */
  readonly time: number;
}

export interface TailOptions {
  /** Start at this stream sequence (stored messages first); default: new messages only. */
  fromSeq?: number;
  /**
   * Called once if the tail stops delivering by itself (its stream or
   * consumer vanished, e.g. deleted, or dropped by the server while this
   * process was cut off), not after `stop()`. The follower can start a new
   * tail from the last sequence it saw.
   */
  onEnd?(reason: string): void;
}

/** A running `Streams.tail`. */
export interface Tail {
  /** Stops delivery and removes the consumer; the handler is not called afterwards. */
  stop(): Promise<void>;
}

/** Durable, at-least-once message streams (JetStream). */
export interface Streams {
  /** Creates the stream if missing (idempotent). */
  ensure(config: StreamConfig): Promise<void>;
  /**
   * Resolves once the stream has stored the message. Throws `NoStreamError`
   * when no stream captures the subject, `PayloadTooLargeError` when the
   * message is over `Transport.maxPayload`.
   */
  publish(subject: string, data: Uint8Array, options?: PublishOptions): Promise<void>;
  /**
   * Delivers messages of a durable consumer to `handler`, at most
   * `maxAckPending` unsettled at once. A message the handler neither acks
   * nor naks is redelivered after `ackWaitMs`. A handler that throws naks.
   */
  consume(stream: string, options: ConsumerOptions, handler: (msg: DeliveredMessage) => Promise<void>): Promise<Consumer>;
  /**
   * The newest stored message whose subject is exactly `subject`; null when
   * there is none, or no such stream. One request (JetStream `last_by_subj`).
   */
  last(stream: string, subject: string): Promise<StoredStreamMessage | null>;
  /**
   * The stored messages whose subject matches `filter` (wildcards allowed),
   * oldest first, from sequence `fromSeq` (default 1), one request per
   * message (JetStream `next_by_subj`): for exports and archives, not for hot
   * paths. Messages stored while iterating may or may not be included.
   */
  read(stream: string, filter: string, fromSeq?: number): AsyncIterable<StoredStreamMessage>;
  /**
   * Follows a stream without acknowledging anything (a live view, e.g. the
   * gateway's server-sent events): the stored messages matching `filter`
   * from `fromSeq` (default: only messages stored from now on), then each new
   * one as it is stored, in stream order. Nothing durable is left behind:
   * `stop()` removes the server-side consumer at once (and the server drops
   * it by itself after a short inactivity if the process dies first).
   * Optional: wrappers that only spy on publishes may leave it out.
   */
  tail?(stream: string, filter: string, options: TailOptions, handler: (message: StoredStreamMessage) => void): Promise<Tail>;
  /** Deletes a stream (tests and teardown). */
  remove(name: string): Promise<void>;
  /**
   * The backlog of every durable consumer of a stream (`[]` when the stream
   * does not exist). Optional: wrappers that only spy on publishes may leave it out.
   */
  backlog?(stream: string): Promise<ConsumerBacklog[]>;
}

/** Fire-and-forget core pub/sub (no persistence). */
export interface Bus {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, handler: (subject: string, data: Uint8Array) => void): { unsubscribe(): void };
}

/** Time, injectable so tests can skip it. */
export interface Clock {
  now(): number;
  /** Calls `fn` once, at or after epoch ms `at`. */
  setTimer(at: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/** How a KV bucket is created (an existing bucket is opened as it is). */
export interface KvOptions {
  /** Entries vanish this long after their last write. */
  ttlMs?: number;
  /**
   * Bytes the bucket may hold (JetStream `max_bytes`, counted as the server
   * stores entries). A write that would go beyond is refused with
   * `KvBucketFullError`; older entries are never dropped to make room.
   */
  maxBytes?: number;
}

/** Everything a component needs to reach infrastructure. */
export interface Transport {
  readonly kind: 'memory' | 'nats';
  readonly streams: Streams;
  readonly bus: Bus;
  readonly clock: Clock;
  /**
   * The largest message (and KV value) the transport accepts, in bytes:
   * NATS' `max_payload` (1 MiB by default; headers count against it), the
   * memory adapter's `maxPayload` option. A larger publish or KV write
   * throws `PayloadTooLargeError` and sends nothing.
   */
  readonly maxPayload: number;
  /**
   * Service discovery (the NATS services API, or the services of this
   * process on memory): what `GET /v1/squads` lists. Optional: wrappers
   * and stubs may leave it out.
   */
  readonly services?: ServiceDirectory;
  /** Opens (creating if missing) a KV bucket. */
  kv(bucket: string, options?: KvOptions): Promise<KvStore>;
  /** Deletes a KV bucket (tests and teardown). */
  removeKv(bucket: string): Promise<void>;
  close(): Promise<void>;
}

/** The wall clock, robust to wall-clock jumps (see `wallClock`): every adapter's default. */
export const systemClock: Clock = wallClock();
