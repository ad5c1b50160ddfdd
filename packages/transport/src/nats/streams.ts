import {
  DiscardPolicy,
  PubHeaders,
  RetentionPolicy,
  StorageType,
  type MsgRequest,
  type StoredMsg,
  type StreamConfig as NatsStreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/transport-node';
import { SquadflowError, type Logger } from '@squadflow/shared';
import type {
  Consumer,
  ConsumerBacklog,
  ConsumerOptions,
  DeliveredMessage,
  PublishOptions,
  StoredStreamMessage,
  StreamConfig,
  Streams,
  Tail,
  TailOptions,
} from '../ports.ts';
import { DEFAULT_MAX_PAYLOAD, effectiveDuplicateWindow, publishedSize } from '../defaults.ts';
import { NoStreamError, NotFoundError, PayloadTooLargeError, StreamFullError } from '../errors.ts';
import { consumeNats, type NatsContext } from './consumer.ts';
import {
  ApiCodes,
  isApiError,
  isMaxPayloadExceeded,
  isNoResponders,
  isStreamNotFound,
  replicasRefused,
  streamLimitReached,
} from './errors.ts';
import type { PipelinedRequester } from './pipelined-requester.ts';
import { publishAcked } from './pub-ack.ts';
import { tailNats } from './tail.ts';

/** `Streams` over JetStream: file-backed streams, durable pull consumers. */
export class NatsStreams implements Streams {
  private readonly active = new Set<Consumer>();

  private readonly jsm;
  private readonly logger?: Logger;

  /** `requester` carries the publishes (see `PipelinedRequester` for why not `js.publish`). */
  constructor(
    private readonly ctx: NatsContext,
    private readonly requester: PipelinedRequester,
    /** `num_replicas` of the streams `ensure` creates or updates (SQUADFLOW_REPLICAS). */
    private readonly replicas = 1,
  ) {
    this.jsm = ctx.jsm;
    this.logger = ctx.logger;
  }

  /**
   * Creates the stream (with the transport's replicas), or updates subjects /
   * max age / dedup window (and the message and byte limits, when the config
   * sets them) when it exists with other values. The replicas of an existing
   * stream are left as they are (a warning says so when they differ): two
   * processes disagreeing on SQUADFLOW_REPLICAS must not rescale a stream
   * back and forth; docs/deploy.md shows how to change them. Two processes
   * may race here: the loser of a concurrent create sees "name already in
   * use" and falls back to compare and update, and identical updates are
   * idempotent on the server.
   */
  async ensure(config: StreamConfig): Promise<void> {
    const want: Partial<NatsStreamConfig> & { subjects: string[]; max_age: number; duplicate_window: number } = {
      subjects: [...config.subjects],
      max_age: nanos(config.maxAgeMs ?? 0),
      duplicate_window: nanos(effectiveDuplicateWindow(config)),
      num_replicas: this.replicas,
      ...limitsOf(config),
    };
    let info = await this.info(config.name);
    if (!info) {
      try {
        await this.jsm.streams.add({ name: config.name, retention: retention(config), storage: StorageType.File, ...want });
        return;
      } catch (err) {
        if (!isApiError(err, ApiCodes.StreamNameInUse)) throw replicasRefused(err, config.name, this.replicas) ?? err;
        info = await this.info(config.name);
        if (!info) throw err;
      }
    }
    if (info.config.retention !== retention(config)) {
      throw new SquadflowError('INVALID_ARGUMENT', `stream ${config.name} exists with retention ${info.config.retention}`);
    }
    if (info.config.num_replicas !== this.replicas) {
      this.logger?.warn(
        { stream: config.name, replicas: info.config.num_replicas, wanted: this.replicas },
        `stream exists with other replicas: left as it is (nats stream edit ${config.name} --replicas ${this.replicas})`,
      );
    }
    delete want.num_replicas;
    const same =
      sameSet(info.config.subjects ?? [], want.subjects) &&
      info.config.max_age === want.max_age &&
      info.config.duplicate_window === want.duplicate_window &&
      (want.max_msgs === undefined || info.config.max_msgs === want.max_msgs) &&
      (want.discard === undefined || info.config.discard === want.discard);
    if (!same) {
      // NATS discards the oldest messages when max_msgs is lowered below what the stream holds (nats-server#2589),
      // even with discard-new: keep the old limit until the backlog is smaller.
      if (want.max_msgs !== undefined && want.max_msgs > 0 && info.state.messages > want.max_msgs) {
        this.logger?.warn(
          { stream: config.name, messages: info.state.messages, maxMsgs: want.max_msgs },
          'not lowering max_msgs below the messages the stream holds (NATS would drop the oldest); keeping the old limit',
        );
        delete want.max_msgs;
        delete want.discard;
      }
      this.logger?.info({ stream: config.name, subjects: want.subjects }, 'updating stream configuration');
      await this.jsm.streams.update(config.name, want);
    }
  }

  /**
   * Resolves once the stream acknowledged the message (a duplicate within the
   * window is acknowledged too). The same wire messages as `js.publish`,
   * without its per-request allocations; the publish leaves before the first
   * `await`, so publishes made in one tick share a socket write.
   */
  async publish(subject: string, data: Uint8Array, options?: PublishOptions): Promise<void> {
    let hdrs;
    // Like js.publish: an empty id sets no header.
    if (options?.msgId) {
      hdrs = headers();
      hdrs.set(PubHeaders.MsgIdHdr, options.msgId);
    }
    if (options?.headers) {
      for (const name in options.headers) (hdrs ??= headers()).set(name, options.headers[name]!);
    }
    try {
      await publishAcked(this.requester, subject, data, hdrs);
    } catch (err) {
      if (isNoResponders(err)) throw new NoStreamError(subject, { cause: err });
      const limit = streamLimitReached(err);
      if (limit) throw new StreamFullError(subject, limit, { cause: err });
      if (isMaxPayloadExceeded(err)) {
        const limit = this.ctx.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
        throw new PayloadTooLargeError(subject, publishedSize(data, options?.msgId, options?.headers), limit, { cause: err });
      }
      throw err;
    }
  }

  async consume(stream: string, options: ConsumerOptions, handler: (msg: DeliveredMessage) => Promise<void>): Promise<Consumer> {
    const consumer = await consumeNats(this.ctx, stream, options, handler);
    const tracked: Consumer = {
      stop: async () => {
        this.active.delete(tracked);
        await consumer.stop();
      },
    };
    this.active.add(tracked);
    return tracked;
  }

  async last(stream: string, subject: string): Promise<StoredStreamMessage | null> {
    try {
      return stored(await this.jsm.streams.getMessage(stream, { last_by_subj: subject }));
    } catch (err) {
      if (isStreamNotFound(err)) return null;
      throw err;
    }
  }

  async *read(stream: string, filter: string, fromSeq = 1): AsyncIterable<StoredStreamMessage> {
    for (let seq = fromSeq; ;) {
      let next: StoredMsg | null;
      try {
        // `next_by_subj` is in the server's message-get API since 2.9; the client types it only for direct gets.
        next = await this.jsm.streams.getMessage(stream, { seq, next_by_subj: filter } as unknown as MsgRequest);
      } catch (err) {
        if (isStreamNotFound(err)) throw new NotFoundError('stream', stream);
        throw err;
      }
      if (!next) return;
      yield stored(next)!;
      seq = next.seq + 1;
    }
  }

  async backlog(stream: string): Promise<ConsumerBacklog[]> {
    const found: ConsumerBacklog[] = [];
    try {
      for await (const c of this.jsm.consumers.list(stream)) {
        if (!c.config.durable_name) continue;
        found.push({
          stream,
          durable: c.config.durable_name,
          ackPending: c.num_ack_pending,
          maxAckPending: c.config.max_ack_pending ?? 0,
          pending: c.num_pending,
          redelivered: c.num_redelivered,
        });
      }
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw err;
    }
    return found;
  }

  async tail(stream: string, filter: string, options: TailOptions, handler: (message: StoredStreamMessage) => void): Promise<Tail> {
    return tailNats(this.ctx, stream, filter, options, handler);
  }

  async remove(name: string): Promise<void> {
    try {
      await this.jsm.streams.delete(name);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
  }

  /** Stops every consumer started here (before the connection drains). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active].map((c) => c.stop()));
  }

  private async info(name: string): Promise<StreamInfo | null> {
    try {
      return await this.jsm.streams.info(name);
    } catch (err) {
      if (isStreamNotFound(err)) return null;
      throw err;
    }
  }
}

function stored(m: StoredMsg | null): StoredStreamMessage | null {
  return m ? { seq: m.seq, subject: m.subject, data: m.data, time: m.time.getTime() } : null;
}

function retention(config: StreamConfig): RetentionPolicy {
  return config.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits;
}

/** The limits the config sets, with discard-new so a full stream refuses rather than drops; nothing when it sets none. */
function limitsOf(config: StreamConfig): Partial<NatsStreamConfig> {
  return config.maxMsgs === undefined ? {} : { max_msgs: config.maxMsgs, discard: DiscardPolicy.New };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
