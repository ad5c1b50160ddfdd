import type { Consumer as JsConsumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@squadflow/shared';

/**
 * How long one pull request lives on the server. A stop waits for the
 * outstanding requests to end, so this bounds how long a graceful stop takes.
 *
 * Three heartbeat intervals, not two: nats.js gives up on a fetch after two
 * heartbeat checks in a row found nothing (`heartbeats missed`), and the
 * server takes at most half the expiry as the interval. With 1 s requests and
 * 500 ms heartbeats the server's last word (its 408 at 1 s) raced the
 * client's second check at 1 s, and lost often on a busy process: the fetch
 * failed, the pull backed off 250 ms with no request outstanding, and a
 * message the server sent to the abandoned request in the meantime could
 * only come back after AckWait.
 * At 1.5 s the server sends heartbeats at 0.5 and 1 s: a fetch fails only
 * after a full second of silence.
 */
export const PULL_EXPIRES_MS = 1_500;
/** Heartbeats the server sends on an idle pull request (the least nats.js allows). */
export const PULL_HEARTBEAT_MS = 500;
/** Upper bound of one pull batch: enough to keep a fast handler busy, small enough not to hoard messages. */
export const MAX_BATCH = 256;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

export interface DrainingPullOptions {
  nc: NatsConnection;
  consumer: JsConsumer;
  /** Messages handed out and not yet finished, at most (the durable's max_ack_pending). */
  limit: number;
  /** Takes a pulled message (also one arriving while `stop()` drains); its settlement is the callee's business. */
  deliver: (msg: JsMsg) => void;
  logger?: Logger;
  log: Record<string, unknown>;
}

/**
 * Pulls a durable with fetch requests of a bounded lifetime, keeping pulls
 * outstanding for at most `limit` messages beyond those being handled.
 *
 * Why not the client's `consume()`: closing it unsubscribes at once while the
 * server may still be sending messages for its last pull request (up to a
 * whole batch). The client drops those, the server counts them as delivered,
 * and they wait out AckWait before anyone else gets them. Here `stop()` sends
 * no new pull, waits until every outstanding request has ended on the server
 * (its batch delivered or its expiry reported), hands what still arrives to
 * the handler like any other message, and only then returns: nothing is left
 * in flight for AckWait. Naking those instead would not do: NATS 2.9 counts a
 * naked message as ack-pending (and redelivered) until someone pulls it again.
 */
export class DrainingPull {
  private stopped = false;
  private inFlight = 0;
  /** Messages asked for by outstanding requests and not yet arrived. */
  private reserved = 0;
  private readonly outstanding = new Set<Promise<void>>();
  private failures = 0;
  private wakeRetry: (() => void) | undefined;

  constructor(private readonly o: DrainingPullOptions) {}

  /** Sends the first pull request; resolves once the server has it (a message published afterwards is offered here). */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.pull(resolve));
    await this.o.nc.flush();
  }

  /** A handed-out message is finished (settled or given up): room for one more. */
  done(): void {
    this.inFlight--;
    this.pull();
  }

  /** Stops pulling and waits until no pull request is outstanding; messages arriving meanwhile are still delivered. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeRetry?.();
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
  }

  /**
   * Sends a pull request when there is room: always when none is outstanding,
   * otherwise once a quarter of the limit is free (as `consume()` refills), so
   * a busy consumer keeps a request ahead without one request per message.
   * `sent` is called once the request is published (or failed).
   */
  private pull(sent?: () => void): void {
    const free = this.o.limit - this.inFlight - this.reserved;
    const refill = Math.max(1, Math.floor(Math.min(this.o.limit, MAX_BATCH) / 4));
    if (this.stopped || this.o.nc.isClosed() || free <= 0 || (this.outstanding.size > 0 && free < refill)) {
      sent?.();
      return;
    }
    const batch = Math.min(free, MAX_BATCH);
    this.reserved += batch;
    const request: Promise<void> = this.request(batch, sent).finally(() => {
      this.outstanding.delete(request);
      sent?.();
      this.pull();
    });
    this.outstanding.add(request);
  }

  private async request(batch: number, sent?: () => void): Promise<void> {
    let left = batch;
    try {
      const messages = await this.o.consumer.fetch({ max_messages: batch, expires: PULL_EXPIRES_MS, idle_heartbeat: PULL_HEARTBEAT_MS });
      if (sent) void published(messages).then(sent);
      for await (const m of messages) {
        left--;
        this.reserved--;
        this.inFlight++;
        this.o.deliver(m);
      }
      this.failures = 0;
    } catch (err) {
      this.reserved -= left;
      left = 0;
      if (heartbeatsMissed(err)) {
        // The client gave up on a quiet request (a process too busy to see two heartbeats in a row), not
        // the server on us: pull again at once. Backing off left this consumer with no request for 250 ms.
        this.o.logger?.debug({ ...this.o.log }, 'pull request ended on missed heartbeats; pulling again');
        return;
      }
      await this.backOff(err);
    } finally {
      this.reserved -= left;
    }
  }

  /** After a failed request (server down, consumer gone): wait before the next, longer each time, unless stopping. */
  private async backOff(err: unknown): Promise<void> {
    this.failures++;
    const level = this.failures === 1 ? 'warn' : 'debug';
    this.o.logger?.[level]({ ...this.o.log, err, failures: this.failures }, 'pull request failed; retrying');
    if (this.stopped || this.o.nc.isClosed()) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeRetry = undefined;
  }
}

/**
 * nats.js ends a fetch with this when two heartbeat checks in a row saw
 * nothing. Matched by its message (the client has no code for it); should
 * that change, such a failure only backs off like any other.
 */
function heartbeatsMissed(err: unknown): boolean {
  return err instanceof Error && err.message === 'heartbeats missed';
}

/** Resolves when the fetch's pull request has been published (or the fetch ended first). */
function published(messages: ConsumerMessages): Promise<void> {
  return new Promise<void>((resolve) => {
    void (async () => {
      for await (const s of messages.status()) {
        if (s.type === 'next') break;
      }
      resolve();
    })();
  });
}
