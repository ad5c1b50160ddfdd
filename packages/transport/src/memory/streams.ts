import { SquadflowError, type Logger } from '@squadflow/shared';
import type {
  Clock,
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
import { consumerSettings, DEFAULT_MAX_PAYLOAD, publishedSize } from '../defaults.ts';
import { NoStreamError, NotFoundError, PayloadTooLargeError } from '../errors.ts';
import { isSubsetOf, SubjectPattern, subjectsOverlap, validateName, validateSubject } from '../subject-pattern.ts';
import { Durable, type DurableSettings } from './durable.ts';
import { MemoryStream } from './stream.ts';
import type { StoredMessage } from './message-log.ts';

/**
 * The in-memory `Streams`: a registry of streams and their durables. It
 * rejects what a NATS server would reject (overlapping stream subjects, a
 * filter outside the stream, overlapping durables on a work queue), so code
 * that runs embedded also runs against NATS.
 */
export class MemoryStreams implements Streams {
  private readonly streams = new Map<string, MemoryStream>();
  private readonly durables = new Map<string, Map<string, Durable>>();
  /** Running tails by their listener: the stream they follow, and how to end them when it goes away. */
  private readonly tails = new Map<() => void, { stream: string; end(reason: string): void }>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger?: Logger,
    /** Like the server's `max_payload`: a larger publish is refused before anything is stored. */
    private readonly maxPayload = DEFAULT_MAX_PAYLOAD,
  ) {}

  async ensure(config: StreamConfig): Promise<void> {
    this.assertOpen();
    validateName('stream', config.name);
    if (config.subjects.length === 0) throw new SquadflowError('INVALID_ARGUMENT', `stream ${config.name} needs at least one subject`);
    for (const s of config.subjects) validateSubject(s, true);
    for (const other of this.streams.values()) {
      if (other.name === config.name) continue;
      const clash = config.subjects.find((s) => other.config.subjects.some((o) => subjectsOverlap(s, o)));
      if (clash) throw new SquadflowError('INVALID_ARGUMENT', `subjects overlap with stream ${other.name} (${clash})`);
    }
    const existing = this.streams.get(config.name);
    if (!existing) {
      this.streams.set(config.name, new MemoryStream(config, this.clock));
      this.durables.set(config.name, new Map());
      return;
    }
    if (existing.config.retention !== config.retention) {
      throw new SquadflowError('INVALID_ARGUMENT', `stream ${config.name} exists with retention ${existing.config.retention}`);
    }
    // As on NATS: a config without a limit leaves the stream's limit as it is.
    existing.configure({
      ...config,
      ...(config.maxMsgs === undefined && existing.config.maxMsgs !== undefined ? { maxMsgs: existing.config.maxMsgs } : {}),
    });
  }

  async publish(subject: string, data: Uint8Array, options?: PublishOptions): Promise<void> {
    this.assertOpen();
    validateSubject(subject, false);
    const size = publishedSize(data, options?.msgId, options?.headers);
    if (size > this.maxPayload) throw new PayloadTooLargeError(subject, size, this.maxPayload);
    for (const stream of this.streams.values()) {
      if (!stream.captures(subject)) continue;
      stream.append(subject, data, options?.msgId, options?.headers);
      return;
    }
    throw new NoStreamError(subject);
  }

  async consume(stream: string, options: ConsumerOptions, handler: (msg: DeliveredMessage) => Promise<void>): Promise<Consumer> {
    this.assertOpen();
    const target = this.streams.get(stream);
    const durables = this.durables.get(stream);
    if (!target || !durables) throw new NotFoundError('stream', stream);
    const settings = this.settings(target, options);
    const others = [...durables.values()].filter((d) => d.name !== options.durable);
    if (target.config.retention === 'workqueue' && others.some((d) => subjectsOverlap(d.filterSubject, settings.filterSubject))) {
      throw new SquadflowError('INVALID_ARGUMENT', `filtered consumer not unique on workqueue stream ${stream}`);
    }
    let durable = durables.get(options.durable);
    if (durable) durable.configure(settings);
    else {
      durable = new Durable(options.durable, target, settings, this.clock, this.logger);
      durables.set(options.durable, durable);
    }
    const unsubscribe = durable.subscribe(handler);
    return {
      stop: async () => unsubscribe(),
    };
  }

  async last(stream: string, subject: string): Promise<StoredStreamMessage | null> {
    this.assertOpen();
    const target = this.streams.get(stream);
    if (!target) return null;
    target.prune();
    return copy(target.log.findLast((m) => m.subject === subject));
  }

  async *read(stream: string, filter: string, fromSeq = 1): AsyncIterable<StoredStreamMessage> {
    this.assertOpen();
    validateSubject(filter, true);
    const target = this.streams.get(stream);
    if (!target) throw new NotFoundError('stream', stream);
    const pattern = new SubjectPattern(filter);
    for (let seq = fromSeq; ;) {
      target.prune();
      const next = target.log.find(seq, (m) => pattern.matches(m.subject));
      if (!next) return;
      yield copy(next)!;
      seq = next.seq + 1;
    }
  }

  async tail(stream: string, filter: string, options: TailOptions, handler: (message: StoredStreamMessage) => void): Promise<Tail> {
    this.assertOpen();
    validateSubject(filter, true);
    const target = this.streams.get(stream);
    if (!target) throw new NotFoundError('stream', stream);
    const pattern = new SubjectPattern(filter);
    let stopped = false;
    // Delivered off the publisher's call stack, in order: a slow or throwing handler never holds up a publish.
    const deliver = (m: StoredMessage): void =>
      queueMicrotask(() => {
        if (!stopped) handler(copy(m)!);
      });
    // The stored backlog and the listener are set up in one synchronous turn, so no message falls between them.
    if (options.fromSeq !== undefined) {
      target.prune();
      for (let m = target.log.find(options.fromSeq, (x) => pattern.matches(x.subject)); m;) {
        deliver(m);
        m = target.log.find(m.seq + 1, (x) => pattern.matches(x.subject));
      }
    }
    const unlisten = target.listen({ onAppend: (m) => pattern.matches(m.subject) && deliver(m) });
    const stop = (): void => {
      stopped = true;
      unlisten();
      this.tails.delete(unlisten);
    };
    this.tails.set(unlisten, {
      stream,
      end: (reason) => {
        if (stopped) return;
        stop();
        options.onEnd?.(reason);
      },
    });
    return { stop: async () => stop() };
  }

  /** Tails running now, per stream (diagnostics and tests: a client that went away leaves none). */
  tailCount(stream: string): number {
    return [...this.tails.values()].filter((t) => t.stream === stream).length;
  }

  async remove(name: string): Promise<void> {
    for (const d of this.durables.get(name)?.values() ?? []) d.close();
    for (const t of [...this.tails.values()]) if (t.stream === name) t.end(`stream ${name} was removed`);
    this.durables.delete(name);
    this.streams.delete(name);
  }

  async backlog(stream: string): Promise<ConsumerBacklog[]> {
    this.assertOpen();
    return [...(this.durables.get(stream)?.values() ?? [])].map((d) => ({ stream, durable: d.name, ...d.backlog() }));
  }

  /** Stored message count and last sequence of a stream (diagnostics; JetStream's stream info state). */
  info(name: string): { messages: number; lastSeq: number } | null {
    const stream = this.streams.get(name);
    if (!stream) return null;
    stream.prune();
    return { messages: stream.log.size, lastSeq: stream.log.lastSeq };
  }

  /** Stops all delivery and timers (transport close). */
  close(): void {
    this.closed = true;
    for (const name of [...this.streams.keys()]) void this.remove(name);
  }

  private settings(stream: MemoryStream, options: ConsumerOptions): DurableSettings {
    validateName('durable', options.durable);
    validateSubject(options.filterSubject, true);
    if (!stream.config.subjects.some((s) => isSubsetOf(options.filterSubject, s))) {
      throw new SquadflowError('INVALID_ARGUMENT', `filter ${options.filterSubject} is not within the subjects of stream ${stream.name}`);
    }
    return { filterSubject: options.filterSubject, ...consumerSettings(options) };
  }

  private assertOpen(): void {
    if (this.closed) throw new SquadflowError('UNAVAILABLE', 'transport closed');
  }
}

/** A reader's own copy: a stored message must not change. */
function copy(m: StoredStreamMessage | undefined): StoredStreamMessage | null {
  return m ? { seq: m.seq, subject: m.subject, data: m.data.slice(), time: m.time } : null;
}
