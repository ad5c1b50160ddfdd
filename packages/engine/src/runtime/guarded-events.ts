import { ExecutionErrorCode, type TriggerMessage } from '@squadflow/shared';
import type { Clock, DeliveredMessage } from '@squadflow/transport';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { Guarded, GuardedEvent, PoisonGuard } from './poison-guard.ts';
import type { ExecutionError, Quarantine } from './quarantine.ts';
import { failedRecord } from './record-builder.ts';
import type { OrchestratorStats } from './stats.ts';

export interface GuardedEventsDeps {
  guard: PoisonGuard;
  quarantine: Quarantine;
  /** Runs `fn` in the execution's turn (no other event of it meanwhile). */
  exclusive<T>(executionId: string, fn: () => Promise<T>): Promise<T>;
  clock: Clock;
  stats: OrchestratorStats;
}

/**
 * Events applied under the poison guard, and the two ways an execution is
 * ended without its next event: an event that had its tries (it kept
 * failing, or killing the process) quarantines its execution
 * (`POISON_EVENT`), and a record that would outgrow the store ends it
 * (`RECORD_TOO_LARGE`). Either way the others go on.
 */
export class GuardedEvents {
  /** The tail of the queue of suspect tries: they run one at a time. */
  private suspects: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: GuardedEventsDeps) {}

  /**
   * Applies one inbound message's event to one execution. A redelivered
   * message is suspect: its last delivery failed, or its process died in it.
   * When the event has had its tries, the execution is quarantined (`origin`
   * is written when no record exists: a trigger whose start was the poison).
   */
  async message(
    executionId: string,
    msg: DeliveredMessage,
    label: () => string,
    apply: () => Promise<unknown>,
    origin?: TriggerMessage,
  ): Promise<void> {
    const suspect = msg.deliveryCount > 1;
    const outcome = await this.run({ executionId, identity: () => identityOf(msg), label, suspect, assumePrior: suspect }, apply);
    if (!outcome.ok) await this.quarantine(executionId, outcome, origin);
  }

  /** Applies a due timer's event; `undefined` when its execution was quarantined instead. */
  async timer<T>(event: GuardedEvent, apply: () => Promise<T>): Promise<{ value: T } | undefined> {
    const outcome = await this.run(event, apply);
    if (outcome.ok) return { value: outcome.value };
    await this.quarantine(event.executionId, outcome);
    return undefined;
  }

  /** Ends an execution without a transition because its record would be too large (the caller holds its turn). */
  async endWithoutEvent(executionId: string, error: ExecutionError, origin?: () => ExecutionRecord): Promise<boolean> {
    const failed = await this.deps.quarantine.fail(executionId, error, origin);
    if (failed) this.deps.stats.quarantined.recordsTooLarge++;
    return failed;
  }

  /**
   * A suspect try (a redelivered message, an overdue or repeated timer) runs
   * alone among suspects: a process that dies while it runs counts that
   * death against it only. Run side by side, every redelivered event in
   * flight when the poison killed the process was counted too, and healthy
   * executions were quarantined with the poisoned one (seen in the
   * process-level poison test under load). First deliveries, the hot path,
   * are not queued.
   */
  private run<T>(event: GuardedEvent, apply: () => Promise<T>): Promise<Guarded<T>> {
    if (!event.suspect) return this.deps.guard.run(event, apply);
    const turn = this.suspects.then(() => this.deps.guard.run(event, apply));
    this.suspects = turn.catch(() => undefined);
    return turn;
  }

  /** Quarantines an execution whose event had its tries (`POISON_EVENT`), in its turn. */
  private async quarantine(executionId: string, outcome: Extract<Guarded<unknown>, { ok: false }>, origin?: TriggerMessage): Promise<void> {
    const error = { code: ExecutionErrorCode.POISON_EVENT, message: outcome.error };
    const at = this.deps.clock.now();
    const failed = await this.deps.exclusive(executionId, () =>
      this.deps.quarantine.fail(executionId, error, origin && (() => failedRecord(executionId, origin, at, error))),
    );
    if (failed) this.deps.stats.quarantined.poisonEvents++;
  }
}

/** What tells one inbound message apart from an execution's others: its subject and bytes. */
function identityOf(msg: DeliveredMessage): Uint8Array {
  const subject = new TextEncoder().encode(`${msg.subject}\n`);
  const out = new Uint8Array(subject.length + msg.data.length);
  out.set(subject);
  out.set(msg.data, subject.length);
  return out;
}
