import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@squadflow/shared';
import type { DeliveredMessage } from '../ports.ts';
import { HOP_TRACE, hop } from '../hop-trace.ts';

/**
 * A JetStream message behind the port's `DeliveredMessage`. Settling is
 * fire-and-forget on NATS; when it cannot be sent (connection closed or
 * draining) we log and let the server redeliver after ack_wait, which is the
 * at-least-once outcome anyway.
 */
export class NatsDelivered implements DeliveredMessage {
  settled = false;
  readonly subject: string;
  readonly data: Uint8Array;

  constructor(
    private readonly msg: JsMsg,
    private readonly logger?: Logger,
  ) {
    this.subject = msg.subject;
    this.data = msg.data;
    if (HOP_TRACE) hop(`dlv ${msg.subject}`);
  }

  /** Parsed from the reply subject on first read: most handlers never look at it. */
  get deliveryCount(): number {
    return this.msg.info.deliveryCount;
  }

  header(name: string): string | undefined {
    // `get` answers '' for a missing header.
    return this.msg.headers?.get(name) || undefined;
  }

  ack(): void {
    if (HOP_TRACE) hop(`ack ${this.subject}`);
    this.settle('ack', () => this.msg.ack());
  }

  nak(delayMs?: number): void {
    this.settle('nak', () => (delayMs && delayMs > 0 ? this.msg.nak(delayMs) : this.msg.nak()));
  }

  term(): void {
    this.settle('term', () => this.msg.term());
  }

  working(): void {
    if (!this.settled) this.send('working', () => this.msg.working());
  }

  private settle(op: string, fn: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.send(op, fn);
  }

  private send(op: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger?.warn({ err, subject: this.subject, op }, 'could not settle message; the server will redeliver it');
    }
  }
}
