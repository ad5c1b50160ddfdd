/**
 * Completion detection through lifecycle events on plain core subscriptions
 * (JetStream-stored subjects reach core subscribers too): no consumer, no
 * polling of execution records, nothing that loads the orchestrator.
 */
import type { Names } from '@squadflow/shared';
import type { NatsConnection } from './nats.ts';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const dec = new TextDecoder();

export class Completions {
  private readonly waiters = new Map<string, Waiter>();
  /** Counts per lifecycle type (`execution.started`, ...), for scenarios that watch progress. */
  readonly counts = new Map<string, number>();
  readonly completed = new Set<string>();
  private readonly subs: { unsubscribe(): void }[] = [];

  constructor(nc: NatsConnection, names: Names, options: { trackCompleted?: boolean } = {}) {
    for (const type of ['execution.completed', 'execution.failed', 'execution.started']) {
      const sub = nc.subscribe(names.lifecycleFilter({ type }), {
        callback: (err, msg) => {
          if (err) return;
          this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
          if (type === 'execution.started') return;
          // Only the id is needed: a full codec decode would load the driver, not the engine.
          const { executionId } = JSON.parse(dec.decode(msg.data)) as { executionId: string };
          if (options.trackCompleted && type === 'execution.completed') this.completed.add(executionId);
          const w = this.waiters.get(executionId);
          if (!w) return;
          this.waiters.delete(executionId);
          clearTimeout(w.timer);
          if (type === 'execution.completed') w.resolve();
          else w.reject(new Error(`execution ${executionId} failed`));
        },
      });
      this.subs.push(sub);
    }
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  /** Registers interest before the trigger goes out, so a fast completion is never missed. */
  wait(executionId: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(executionId);
        reject(new Error(`execution ${executionId} did not complete within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(executionId, { resolve, reject, timer });
    });
  }

  forget(executionId: string): void {
    const w = this.waiters.get(executionId);
    if (w) clearTimeout(w.timer);
    this.waiters.delete(executionId);
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('closed'));
    }
    this.waiters.clear();
  }
}
