import type { Logger } from '@squadflow/shared';
import type { DeliveredMessage } from '../ports.ts';

/** The durable-side operations a delivered message settles through. */
export interface Settler {
  /** Ack and term: the message is done (removed from a work queue). */
  finish(seq: number): void;
  nak(seq: number, token: number, delayMs: number): void;
  working(seq: number, token: number): void;
}

/** One delivery of a stored message; `token` identifies the delivery so a stale one cannot nak the next. */
export class MemoryDelivered implements DeliveredMessage {
  settled = false;

  constructor(
    private readonly settler: Settler,
    readonly seq: number,
    private readonly token: number,
    readonly subject: string,
    readonly data: Uint8Array,
    readonly deliveryCount: number,
    private readonly headers?: Readonly<Record<string, string>>,
  ) {}

  header(name: string): string | undefined {
    return this.headers?.[name];
  }

  ack(): void {
    if (this.settle()) this.settler.finish(this.seq);
  }

  nak(delayMs?: number): void {
    if (this.settle()) this.settler.nak(this.seq, this.token, delayMs ?? 0);
  }

  term(): void {
    // JetStream treats term like an ack for storage: a work queue drops the message.
    if (this.settle()) this.settler.finish(this.seq);
  }

  working(): void {
    if (!this.settled) this.settler.working(this.seq, this.token);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

export type Handler = (msg: DeliveredMessage) => Promise<void>;

/**
 * Calls a handler without awaiting it; a throw or rejection naks the message
 * unless the handler settled it first (the port's contract).
 */
export function invoke(handler: Handler, msg: MemoryDelivered, logger?: Logger): void {
  const onError = (err: unknown): void => {
    logger?.warn({ err, subject: msg.subject }, 'stream handler failed; message will be redelivered');
    if (!msg.settled) msg.nak();
  };
  try {
    const result = handler(msg) as Promise<void> | undefined;
    if (result && typeof result.then === 'function') result.then(undefined, onError);
  } catch (err) {
    onError(err);
  }
}
