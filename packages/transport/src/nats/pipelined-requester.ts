import { performance } from 'node:perf_hooks';
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { DEFAULT_MAX_PAYLOAD } from '../defaults.ts';
import { HOP_TRACE, hop } from '../hop-trace.ts';

/** Default time a request waits for its reply. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface PipelinedRequesterOptions {
  /** How long a request waits for its reply before it rejects with `RequestTimeoutError`. Default 10 s. */
  timeoutMs?: number;
  /**
   * Prefix of the reply subjects (default `_INBOX`). Use the connection's own
   * `inboxPrefix` when its permissions only allow replies under another prefix.
   */
  inboxPrefix?: string;
}

/** Base class of the failures `PipelinedRequester.request` reports itself; `subject` is the request's subject. */
export abstract class PipelinedRequestError extends Error {
  abstract readonly code: 'REQUEST_TIMEOUT' | 'REQUEST_STATUS' | 'NO_RESPONDERS' | 'REQUESTER_CLOSED';
  constructor(
    readonly subject: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No reply arrived within the requester's timeout. The request may still have been processed. */
export class RequestTimeoutError extends PipelinedRequestError {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'REQUEST_TIMEOUT';
  constructor(
    subject: string,
    readonly timeoutMs: number,
  ) {
    super(subject, `request to ${subject} got no reply within ${timeoutMs} ms`);
  }
}

/** The reply was a NATS status message (a header block with a code of 300 or more) instead of a response. */
export class RequestStatusError extends PipelinedRequestError {
  override readonly name: string = 'RequestStatusError';
  readonly code: 'REQUEST_STATUS' | 'NO_RESPONDERS' = 'REQUEST_STATUS';
  constructor(
    subject: string,
    /** The status code, e.g. 503. */
    readonly status: number,
    readonly description: string,
  ) {
    super(subject, `request to ${subject} failed: ${status}${description ? ` ${description}` : ''}`);
  }
}

/**
 * Status 503: nothing subscribes to the subject. For a JetStream publish this
 * means no stream captures the subject (or the stream was deleted).
 */
export class RequestNoRespondersError extends RequestStatusError {
  override readonly name = 'RequestNoRespondersError';
  override readonly code = 'NO_RESPONDERS';
  constructor(subject: string, description = 'No Responders') {
    super(subject, 503, description);
  }
}

/** The requester was closed (or is draining), or its connection or reply subscription ended, before a reply arrived. */
export class RequesterClosedError extends PipelinedRequestError {
  override readonly name = 'RequesterClosedError';
  readonly code = 'REQUESTER_CLOSED';
  constructor(subject: string, reason: string, options?: { cause?: unknown }) {
    super(subject, `request to ${subject} abandoned: ${reason}`, options);
  }
}

interface Pending {
  readonly subject: string;
  /** `performance.now()` when sent: monotonic, so a wall-clock jump cannot expire or pin requests. */
  readonly sentAt: number;
  resolve(data: Uint8Array): void;
  reject(err: Error): void;
}

/**
 * Request/reply over ONE wildcard reply subscription (`<inbox>.*`) and a
 * table of pending requests keyed by the last token of the reply subject.
 *
 * Why not `nc.request()`: in nats.js 3.x every request allocates a
 * `RequestError("cancelled")` (with a stack trace) even when it succeeds,
 * plus a timer of its own; profiled, that was ~5% of the orchestrator's CPU
 * because every JetStream publish and KV write is a request. Here a request
 * costs a map entry and a publish, timeouts are found by one sweep timer,
 * and errors are only built on the failure paths.
 *
 * Requests are published synchronously from `request()`, so requests made in
 * the same tick leave in one socket write (nats.js coalesces its outbound
 * buffer until the next flush).
 *
 * Failures are typed: `RequestTimeoutError`, `RequestNoRespondersError` (503;
 * a `RequestStatusError`), other `RequestStatusError`s, and
 * `RequesterClosedError`. Errors the connection raises synchronously
 * (closed, payload too large) reject the request unchanged.
 *
 * Not handled: a publish permission violation is reported by the server
 * asynchronously and matched to nothing here; such a request times out.
 */
export class PipelinedRequester {
  readonly timeoutMs: number;
  /** `<inbox>.`: reply subjects are this plus a token. */
  private readonly replyPrefix: string;
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private next = 0;
  private closed = false;
  private draining = false;
  /** `drain()` calls waiting for the table to empty. */
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    options: PipelinedRequesterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be greater than 0, got ${this.timeoutMs}`);
    this.replyPrefix = `${createInbox(options.inboxPrefix)}.`;
    // nats.js re-sends this SUB after a reconnect; requests published while
    // disconnected wait in its reconnect buffer and are answered (or time out) later.
    this.sub = nc.subscribe(`${this.replyPrefix}*`, { callback: (err, msg) => this.onReply(err, msg) });
    // The subscription ends when the connection closes or drains (or on a
    // permission error): nothing can be answered any more.
    void this.sub.closed.then((err) => this.shutdown('reply subscription closed', err ?? undefined));
    // One timer for every request. Checking every tenth of the timeout
    // (at most once a second) lets a request wait up to 10% longer than the timeout.
    const every = Math.min(1_000, Math.max(10, Math.floor(this.timeoutMs / 10)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** The server's `max_payload` (headers count against it); NATS' default 1 MiB before the first INFO. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** Requests still waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Publishes `data` to `subject` with a reply subject of this requester and
   * resolves with the reply's payload. The publish happens before this returns.
   */
  request(subject: string, data: Uint8Array, headers?: MsgHdrs): Promise<Uint8Array> {
    if (this.closed || this.draining) {
      return Promise.reject(new RequesterClosedError(subject, this.closed ? 'requester closed' : 'requester draining'));
    }
    if (this.nc.isDraining()) {
      // The reply subscription is being drained with the connection: a reply would be lost.
      return Promise.reject(new RequesterClosedError(subject, 'connection draining'));
    }
    const token = (this.next++).toString(36);
    return new Promise<Uint8Array>((resolve, reject) => {
      if (HOP_TRACE) hop(`req> ${subject}`);
      this.pending.set(token, { subject, sentAt: performance.now(), resolve, reject });
      try {
        this.nc.publish(subject, data, headers ? { reply: this.replyPrefix + token, headers } : { reply: this.replyPrefix + token });
      } catch (err) {
        // Closed connection, invalid subject, payload over max_payload: nothing was sent.
        this.pending.delete(token);
        this.settled();
        reject(err as Error);
      }
    });
  }

  /**
   * Rejects new requests, waits until every request in flight has its reply
   * (or times out), then closes. Used before the connection drains, so
   * writes already sent still get their acknowledgement.
   */
  async drain(): Promise<void> {
    if (this.closed) return;
    this.draining = true;
    if (this.pending.size > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.close();
  }

  /** Stops the sweep timer, unsubscribes, and rejects every request in flight. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (!this.sub.isClosed() && !this.nc.isClosed()) this.sub.unsubscribe();
    this.shutdown('requester closed');
  }

  private onReply(err: Error | null, msg: Msg): void {
    if (err) {
      // A permission error on the reply subscription: it is closed by the client.
      this.shutdown('reply subscription failed', err);
      return;
    }
    const token = msg.subject.slice(this.replyPrefix.length);
    const p = this.pending.get(token);
    if (!p) return; // late reply to a request that timed out
    this.pending.delete(token);
    if (HOP_TRACE) hop(`req< ${p.subject}`);
    // `headers` is only decoded when the message has a header block; replies
    // to JetStream publishes have none, so the common path allocates nothing here.
    const h = msg.headers;
    if (h && h.hasError) {
      p.reject(
        h.code === 503 ? new RequestNoRespondersError(p.subject, h.description) : new RequestStatusError(p.subject, h.code, h.description),
      );
    } else {
      p.resolve(msg.data);
    }
    this.settled();
  }

  private sweep(): void {
    if (this.pending.size === 0) return;
    const limit = performance.now() - this.timeoutMs;
    for (const [token, p] of this.pending) {
      // Map order is insertion order and every request has the same timeout,
      // so the first one still in time ends the scan.
      if (p.sentAt > limit) break;
      this.pending.delete(token);
      p.reject(new RequestTimeoutError(p.subject, this.timeoutMs));
    }
    this.settled();
  }

  private shutdown(reason: string, cause?: Error): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const p of failed) p.reject(new RequesterClosedError(p.subject, reason, cause ? { cause } : undefined));
    this.settled();
  }

  /** Called whenever requests leave the table: wakes `drain()` once it is empty. */
  private settled(): void {
    if (this.drainWaiters.length > 0 && this.pending.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
