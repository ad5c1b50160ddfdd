import type { Logger } from '@squadflow/shared';
import type { Clock } from '../ports.ts';
import { SubjectPattern } from '../subject-pattern.ts';
import { invoke, MemoryDelivered, type Handler, type Settler } from './delivered.ts';
import type { StoredMessage } from './message-log.ts';
import type { MemoryStream, StreamListener } from './stream.ts';

export interface DurableSettings {
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
  /** Deliveries after which a message is no longer redelivered (0: no limit). */
  maxDeliver: number;
}

/** A delivered, unsettled message. `deadline` is Infinity while a delayed nak holds it. */
interface Flight {
  token: number;
  deadline: number;
  nakTimer?: unknown;
}

interface Deadline {
  seq: number;
  token: number;
  at: number;
}

interface Subscriber {
  handler: Handler;
}

/**
 * A durable consumer of a memory stream, modelled on a JetStream pull
 * consumer with AckExplicit and DeliverAll: a cursor over the stream, the
 * unsettled deliveries (at most `maxAckPending`), a redelivery queue, and the
 * `consume()` subscribers sharing it round-robin. Its state outlives the
 * subscribers, exactly like a durable on the server.
 *
 * Delivery runs in one `setImmediate` batch per wake-up (never inside
 * `publish`, never a timer per message), and ack deadlines share a single
 * clock timer: with a fixed ack wait they expire in delivery order.
 */
export class Durable implements Settler, StreamListener {
  private filter!: SubjectPattern;
  private ackWaitMs = 0;
  private maxAckPending = 0;
  private maxDeliver = 0;
  private cursor = 0;
  private readonly inflight = new Map<number, Flight>();
  /** Deliveries so far of every unfinished message this durable has delivered. */
  private readonly counts = new Map<number, number>();
  private redeliveries: number[] = [];
  private redeliveryHead = 0;
  private readonly subscribers: Subscriber[] = [];
  private next = 0;
  private deadlines: Deadline[] = [];
  private deadlineHead = 0;
  private timer: unknown = undefined;
  private timerAt = Infinity;
  private tokens = 0;
  private scheduled = false;
  private closed = false;
  private readonly unlisten: () => void;
  private readonly accept = (m: StoredMessage): boolean => this.filter.matches(m.subject);
  private readonly drainBound = (): void => this.drain();

  constructor(
    readonly name: string,
    private readonly stream: MemoryStream,
    settings: DurableSettings,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    this.configure(settings);
    this.unlisten = stream.listen(this);
  }

  get filterSubject(): string {
    return this.filter.pattern;
  }

  /** Applies new settings (a later `consume()` with other options updates the durable, as on NATS). */
  configure(settings: DurableSettings): void {
    if (this.filter?.pattern !== settings.filterSubject) this.filter = new SubjectPattern(settings.filterSubject);
    this.ackWaitMs = settings.ackWaitMs;
    this.maxAckPending = settings.maxAckPending;
    this.maxDeliver = settings.maxDeliver;
    this.schedule();
  }

  /** Its backlog now, counted as JetStream's consumer info counts it (see `ConsumerBacklog`). */
  backlog(): { ackPending: number; maxAckPending: number; pending: number; redelivered: number } {
    let pending = 0;
    for (let m = this.stream.find(this.cursor + 1, this.accept); m; m = this.stream.find(m.seq + 1, this.accept)) pending++;
    let redelivered = 0;
    for (const [seq, count] of this.counts) if (count > 1 && this.inflight.has(seq)) redelivered++;
    // As on the server, a message waiting for its redelivery still counts as ack pending.
    const waiting = this.redeliveries.length - this.redeliveryHead;
    return { ackPending: this.inflight.size + waiting, maxAckPending: this.maxAckPending, pending, redelivered };
  }

  /** Adds a `consume()` subscriber; returns its removal. */
  subscribe(handler: Handler): () => void {
    const sub = { handler };
    this.subscribers.push(sub);
    this.schedule();
    return () => {
      const i = this.subscribers.indexOf(sub);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  onAppend(message: StoredMessage): void {
    if (this.subscribers.length > 0 && this.filter.matches(message.subject)) this.schedule();
  }

  close(): void {
    this.closed = true;
    this.unlisten();
    this.subscribers.length = 0;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    for (const f of this.inflight.values()) if (f.nakTimer !== undefined) this.clock.clearTimer(f.nakTimer);
    this.inflight.clear();
  }

  finish(seq: number): void {
    // A stale delivery's ack still counts (JetStream acks by stream sequence); a finished one is a no-op.
    if (!this.counts.delete(seq)) return;
    const flight = this.inflight.get(seq);
    if (flight?.nakTimer !== undefined) this.clock.clearTimer(flight.nakTimer);
    this.inflight.delete(seq);
    if (this.stream.config.retention === 'workqueue') this.stream.remove(seq);
    this.schedule();
  }

  nak(seq: number, token: number, delayMs: number): void {
    const flight = this.inflight.get(seq);
    if (flight?.token !== token) return;
    if (delayMs <= 0) return this.requeue(seq);
    // Still counts against maxAckPending while it waits, as on the server.
    flight.deadline = Infinity;
    flight.nakTimer = this.clock.setTimer(this.clock.now() + delayMs, () => {
      if (this.inflight.get(seq) === flight) this.requeue(seq);
    });
  }

  working(seq: number, token: number): void {
    const flight = this.inflight.get(seq);
    if (flight?.token !== token || flight.nakTimer !== undefined) return;
    flight.deadline = this.clock.now() + this.ackWaitMs;
    this.addDeadline({ seq, token, at: flight.deadline });
  }

  private requeue(seq: number): void {
    this.inflight.delete(seq);
    if (this.exhausted(seq)) return;
    this.redeliveries.push(seq);
    this.schedule();
  }

  /**
   * Whether a message has had its `maxDeliver` deliveries: then, as on the
   * server, it is not redelivered and no longer counts as pending; it stays
   * in the stream, unacknowledged.
   */
  private exhausted(seq: number): boolean {
    if (!this.maxDeliver || (this.counts.get(seq) ?? 0) < this.maxDeliver) return false;
    this.counts.delete(seq);
    this.logger?.warn({ durable: this.name, seq, maxDeliver: this.maxDeliver }, 'message reached maxDeliver; no more redeliveries');
    this.schedule(); // a place under maxAckPending is free
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.drainBound);
  }

  private drain(): void {
    this.scheduled = false;
    if (this.closed) return;
    // A batch only serves what was due when it started: a handler that naks (or publishes) synchronously
    // must not make this loop spin forever; requeue/append already scheduled the next batch.
    let redeliveries = this.redeliveries.length - this.redeliveryHead;
    const lastSeq = this.stream.log.lastSeq;
    while (this.inflight.size < this.maxAckPending && this.subscribers.length > 0) {
      const message = redeliveries > 0 ? this.nextRedelivery() : this.nextNew(lastSeq);
      if (redeliveries > 0) {
        redeliveries--;
        if (!message) continue;
      } else if (!message) break;
      this.deliver(message);
    }
  }

  /** The next queued redelivery, or undefined if that entry is stale (settled meanwhile, or expired). */
  private nextRedelivery(): StoredMessage | undefined {
    const seq = this.redeliveries[this.redeliveryHead++]!;
    if (this.redeliveryHead === this.redeliveries.length) {
      this.redeliveries = [];
      this.redeliveryHead = 0;
    }
    if (!this.counts.has(seq) || this.inflight.has(seq)) return undefined;
    const message = this.stream.get(seq);
    if (!message) this.counts.delete(seq); // expired (maxAge) while waiting
    return message;
  }

  /** The next message after the cursor that the filter accepts, up to `lastSeq`. */
  private nextNew(lastSeq: number): StoredMessage | undefined {
    if (this.cursor >= lastSeq) return undefined;
    const message = this.stream.find(this.cursor + 1, this.accept);
    if (message && message.seq > lastSeq) return undefined;
    // Nothing matched: skip the scanned range so the next scan starts after it.
    this.cursor = message ? message.seq : lastSeq;
    return message;
  }

  private deliver(message: StoredMessage): void {
    const count = (this.counts.get(message.seq) ?? 0) + 1;
    this.counts.set(message.seq, count);
    const token = ++this.tokens;
    const at = this.clock.now() + this.ackWaitMs;
    this.inflight.set(message.seq, { token, deadline: at });
    this.addDeadline({ seq: message.seq, token, at });
    const sub = this.subscribers[this.next % this.subscribers.length]!;
    this.next = (this.next + 1) % this.subscribers.length;
    invoke(sub.handler, new MemoryDelivered(this, message.seq, token, message.subject, message.data, count, message.headers), this.logger);
  }

  private isCurrent(d: Deadline): boolean {
    const flight = this.inflight.get(d.seq);
    return flight !== undefined && flight.token === d.token && flight.deadline === d.at;
  }

  private addDeadline(d: Deadline): void {
    const last = this.deadlines.at(-1);
    if (!last || last.at <= d.at || this.deadlines.length === this.deadlineHead) this.deadlines.push(d);
    else {
      // Only after the ack wait was shortened: keep the queue sorted.
      let i = this.deadlines.length;
      while (i > this.deadlineHead && this.deadlines[i - 1]!.at > d.at) i--;
      this.deadlines.splice(i, 0, d);
    }
    this.armTimer();
  }

  private armTimer(): void {
    while (this.deadlineHead < this.deadlines.length && !this.isCurrent(this.deadlines[this.deadlineHead]!)) this.deadlineHead++;
    if (this.deadlineHead > 1024 && this.deadlineHead * 2 > this.deadlines.length) {
      this.deadlines = this.deadlines.slice(this.deadlineHead);
      this.deadlineHead = 0;
    }
    const head = this.deadlines[this.deadlineHead];
    if (!head) return;
    if (this.timer !== undefined) {
      if (this.timerAt <= head.at) return;
      this.clock.clearTimer(this.timer);
    }
    this.timerAt = head.at;
    this.timer = this.clock.setTimer(head.at, () => this.onTimer());
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.closed) return;
    const now = this.clock.now();
    let expired = false;
    while (this.deadlineHead < this.deadlines.length) {
      const d = this.deadlines[this.deadlineHead]!;
      if (d.at > now) break;
      this.deadlineHead++;
      if (!this.isCurrent(d)) continue;
      this.inflight.delete(d.seq);
      if (this.exhausted(d.seq)) continue;
      this.redeliveries.push(d.seq);
      expired = true;
    }
    if (expired) this.schedule();
    this.armTimer();
  }
}
