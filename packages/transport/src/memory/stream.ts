import type { Clock, StreamConfig } from '../ports.ts';
import { effectiveDuplicateWindow } from '../defaults.ts';
import { SubjectPattern } from '../subject-pattern.ts';
import { StreamFullError } from '../errors.ts';
import { MessageLog, type StoredMessage } from './message-log.ts';

/** What a stream tells its consumers. */
export interface StreamListener {
  /** A message was stored; the listener decides whether its filter wants it. */
  onAppend(message: StoredMessage): void;
}

/**
 * One memory stream: the message log, the `msgId` dedup window and the
 * `maxAgeMs` limit, all measured with the injected clock. Expiry is lazy
 * (on append and on read), which is indistinguishable from the server's
 * background expiry for a reader and keeps timers off the hot path.
 */
export class MemoryStream {
  readonly log = new MessageLog();
  private patterns: SubjectPattern[] = [];
  /** msgId -> time first seen; Map order is insertion order, i.e. time order. */
  private readonly seen = new Map<string, number>();
  private readonly listeners = new Set<StreamListener>();

  constructor(
    public config: StreamConfig,
    private readonly clock: Clock,
  ) {
    this.configure(config);
  }

  get name(): string {
    return this.config.name;
  }

  configure(config: StreamConfig): void {
    this.config = { ...config, subjects: [...config.subjects] };
    this.patterns = config.subjects.map((s) => new SubjectPattern(s));
  }

  captures(subject: string): boolean {
    return this.patterns.some((p) => p.matches(subject));
  }

  listen(listener: StreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores a message, or returns null when `msgId` was seen within the dedup
   * window (a duplicate is acknowledged even when the stream is full, as on
   * the server). Throws `StreamFullError` when the stream holds `maxMsgs`.
   */
  append(subject: string, data: Uint8Array, msgId?: string, headers?: Readonly<Record<string, string>>): StoredMessage | null {
    const now = this.clock.now();
    this.expire(now);
    if (msgId !== undefined && this.seen.has(msgId)) return null;
    const { maxMsgs } = this.config;
    if (maxMsgs !== undefined && this.log.size >= maxMsgs) throw new StreamFullError(subject, 'max_msgs');
    if (msgId !== undefined) this.seen.set(msgId, now);
    // Copy: the publisher may reuse its buffer, a stored message must not change.
    const message = this.log.append(subject, data.slice(), now, headers && { ...headers });
    for (const l of this.listeners) l.onAppend(message);
    return message;
  }

  /** The live message at `seq`, honouring `maxAgeMs`. */
  get(seq: number): StoredMessage | undefined {
    this.expire(this.clock.now());
    return this.log.get(seq);
  }

  /** The first live message at or after `seq` accepted by `accept`. */
  find(seq: number, accept: (m: StoredMessage) => boolean): StoredMessage | undefined {
    this.expire(this.clock.now());
    return this.log.find(seq, accept);
  }

  /** Applies the dedup window and max age now (otherwise done lazily on append and read). */
  prune(): void {
    this.expire(this.clock.now());
  }

  remove(seq: number): void {
    this.log.delete(seq);
  }

  private expire(now: number): void {
    const window = effectiveDuplicateWindow(this.config);
    for (const [id, at] of this.seen) {
      if (now - at < window) break;
      this.seen.delete(id);
    }
    const maxAge = this.config.maxAgeMs;
    if (!maxAge) return;
    for (let m = this.log.first(); m && now - m.time >= maxAge; m = this.log.first()) this.log.delete(m.seq);
  }
}
