import { createHash } from 'node:crypto';
import type { Logger } from '@squadflow/shared';
import type { Attempt, EventAttempts } from '../store/event-attempts.ts';
import { isTransient } from './transient-errors.ts';

/** One event about to be applied to one execution. */
export interface GuardedEvent {
  executionId: string;
  /** Tells this event apart from the execution's others: a message's subject and bytes, a timer's id. */
  identity: () => string | Uint8Array;
  /** What the event is, for operators and logs (built only when needed: not on the hot path). */
  label: () => string;
  /**
   * An earlier try of this event may have failed or died (a redelivered
   * message, a timer that fires late or again): count this try before it
   * starts, so that dying in it counts too.
   */
  suspect: boolean;
  /** Count one earlier try that left no trace (a redelivered message: its last delivery was never acked). */
  assumePrior: boolean;
}

/** How a guarded try ended: applied, or the execution is to be quarantined (`tries` failed, the last with `error`). */
export type Guarded<T> = { ok: true; value: T } | { ok: false; tries: number; error: string };

/**
 * Bounds the tries of an event that fails, or kills the orchestrator, every
 * time (a poison event): after `maxAttempts` of them the caller quarantines
 * its execution instead of trying again, and every other execution goes on.
 *
 * On the hot path (a first delivery that succeeds) it costs nothing: tries
 * are counted in KV (`EventAttempts`) only when one fails, and before a try
 * of a suspect event (see `GuardedEvent.suspect`), which is how a try that
 * killed the process is counted: its redelivery finds the count it left.
 * Infrastructure failures (`isTransient`) never count: an outage must not
 * quarantine healthy executions.
 */
export class PoisonGuard {
  constructor(
    private readonly attempts: EventAttempts,
    readonly maxAttempts: number,
    private readonly logger: Logger,
  ) {}

  async run<T>(event: GuardedEvent, apply: () => Promise<T>): Promise<Guarded<T>> {
    let key: string | undefined;
    let begun = false;
    if (event.suspect) {
      key = keyOf(event);
      // Failing to count (KV down) throws: the caller retries later, and nothing ran uncounted.
      const attempt = await this.attempts.begin(key, event.label(), event.assumePrior);
      if (attempt.count > this.maxAttempts) return this.exhausted(key, attempt, attempt.count - 1);
      begun = true;
    }
    try {
      const value = await apply();
      if (begun)
        await this.attempts.clear(key!).catch((err: unknown) => this.logger.warn({ err, key }, 'clearing an event counter failed'));
      return { ok: true, value };
    } catch (err) {
      key ??= keyOf(event);
      if (isTransient(err)) {
        if (begun) await this.attempts.forgive(key).catch(() => undefined);
        throw err;
      }
      const attempt = await this.attempts.fail(key, event.label(), messageOf(err), begun).catch(() => undefined);
      if (attempt && attempt.count >= this.maxAttempts) return this.exhausted(key, attempt, attempt.count);
      throw err;
    }
  }

  private async exhausted(key: string, attempt: Attempt, tries: number): Promise<Guarded<never>> {
    await this.attempts.clear(key).catch(() => undefined);
    const last = attempt.error ?? 'the orchestrator process ended while applying it';
    return { ok: false, tries, error: `${attempt.event} failed ${tries} times; last error: ${last}` };
  }
}

/** `<execution id>.<digest of the event>`: a KV key (the id is a token; the digest hex). */
function keyOf(event: GuardedEvent): string {
  return `${event.executionId}.${createHash('sha256').update(event.identity()).digest('hex').slice(0, 24)}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
