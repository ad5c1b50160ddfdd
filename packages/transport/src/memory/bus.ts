import { SquadflowError, type Logger } from '@squadflow/shared';
import type { Bus } from '../ports.ts';
import { SubjectPattern, validateSubject } from '../subject-pattern.ts';

interface Subscription {
  pattern: SubjectPattern;
  handler: (subject: string, data: Uint8Array) => void;
  active: boolean;
}

/**
 * Core pub/sub in memory: wildcard subscriptions, fire-and-forget, delivered
 * asynchronously (one `setImmediate` per batch of publishes) and in publish
 * order per subscription, like a NATS connection. A throwing handler is
 * logged and does not affect other subscribers.
 */
export class MemoryBus implements Bus {
  private readonly subscriptions = new Set<Subscription>();
  private queue: Array<{ sub: Subscription; subject: string; data: Uint8Array }> = [];
  private scheduled = false;
  private closed = false;
  private readonly flushBound = (): void => this.flush();

  constructor(private readonly logger?: Logger) {}

  publish(subject: string, data: Uint8Array): void {
    if (this.closed) throw new SquadflowError('UNAVAILABLE', 'transport closed');
    validateSubject(subject, false);
    let copy: Uint8Array | undefined;
    for (const sub of this.subscriptions) {
      if (!sub.pattern.matches(subject)) continue;
      // One copy shared by the subscribers: the publisher may reuse its buffer.
      copy ??= data.slice();
      this.queue.push({ sub, subject, data: copy });
    }
    if (copy && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
  }

  subscribe(subject: string, handler: (subject: string, data: Uint8Array) => void): { unsubscribe(): void } {
    if (this.closed) throw new SquadflowError('UNAVAILABLE', 'transport closed');
    const sub: Subscription = { pattern: new SubjectPattern(subject), handler, active: true };
    this.subscriptions.add(sub);
    return {
      unsubscribe: () => {
        sub.active = false;
        this.subscriptions.delete(sub);
      },
    };
  }

  close(): void {
    this.closed = true;
    this.subscriptions.clear();
    this.queue = [];
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const { sub, subject, data } of batch) {
      if (!sub.active) continue;
      try {
        sub.handler(subject, data);
      } catch (err) {
        this.logger?.error({ err, subject }, 'bus subscriber failed');
      }
    }
  }
}
