import { isTerminal, type Logger } from '@squadflow/shared';
import { KvConflictError, type Clock, type KvStore } from '@squadflow/transport';
import type { EventAttempts } from '../store/event-attempts.ts';
import type { ExecutionStore } from '../store/execution-store.ts';
import type { ExecutionArchive } from './execution-archive.ts';
import { slotOf, type Departure, type RetentionSchedule } from './retention-schedule.ts';

export interface RetentionSweeperDeps {
  executions: ExecutionStore;
  schedule: RetentionSchedule;
  archive: ExecutionArchive;
  /** The timers bucket: stored timers an ended execution may still own (keys `<execution id>.…`). */
  timers: KvStore;
  attempts: EventAttempts;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  sweepIntervalMs: number;
}

/** What happened to one departure. */
export type Retired = 'archived' | 'later' | 'gone';

/**
 * Moves ended executions out of the hot store once their retention is over.
 *
 * Driven by due time, not by a scan: each execution that ends writes a
 * departure `<due hour>.<id>` into the retention schedule *before* its ended
 * record is written (a write-ahead in the store's hook, so a crash between
 * the two leaves a departure for a record that is not ended, which the
 * sweeper drops, never an ended record without one). The sweeper asks the
 * bucket only for the hours that fell due, with a subject filter. A stream
 * of ended executions consumed in order would do too, but would need a
 * consumer held open per replica and delays by nak; the schedule needs
 * nothing running between sweeps, and a changed retention re-schedules
 * itself at the next look.
 *
 * Each departure: read the record; archive it (PubAck; skipped when the
 * archive holds this revision already); delete the record only if it is
 * still at the revision archived; then its leftovers (stored timers, event
 * counters); then the departure. A crash anywhere repeats the steps after
 * restart, each harmless twice. Several replicas may sweep at once: the
 * archive deduplicates by id and revision, the delete is a compare-and-set.
 */
export class RetentionSweeper {
  /** The earliest slot that may hold departures not done yet. */
  private cursor: number | undefined;
  private alarm: unknown;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly deps: RetentionSweeperDeps) {}

  /** Finds where to begin (one key listing), sweeps once, and sweeps every `sweepIntervalMs` after. */
  async start(): Promise<void> {
    this.cursor = (await this.deps.schedule.earliestSlot()) ?? slotOf(this.deps.clock.now());
    this.tick();
  }

  stop(): Promise<number | void> {
    this.stopped = true;
    if (this.alarm !== undefined) this.deps.clock.clearTimer(this.alarm);
    return this.running ?? Promise.resolve();
  }

  /** One sweep over the slots that fell due; returns the executions archived. Concurrent calls share one sweep. */
  sweep(): Promise<number> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Archives one execution whose departure fell due, and forgets what it still owns (see the class). */
  async retire(departure: Departure): Promise<Retired> {
    const { executions, schedule, archive, clock, retentionMs } = this.deps;
    const now = clock.now();
    const stored = await executions.read(departure.executionId);
    if (stored && !isTerminal(stored.record.status)) {
      // A write-ahead whose ended record was never written (a lost compare-and-set, a crash): it ends later, anew.
      await schedule.remove(departure.key);
      return 'gone';
    }
    if (stored) {
      const dueAt = stored.record.updatedAt + retentionMs;
      if (dueAt > now) {
        // Not due (the retention grew, or the record was written again since): move the departure.
        if ((await schedule.add(departure.executionId, dueAt)) !== departure.key) await schedule.remove(departure.key);
        return 'later';
      }
      const archived = await archive.get(departure.executionId);
      if (archived?.revision !== stored.revision) await archive.put(stored.record, stored.revision, now);
      try {
        await executions.remove(stored.record, stored.revision);
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
        return 'later'; // written since it was read: the next sweep archives the newer revision
      }
    }
    await this.forgetLeftovers(departure.executionId);
    await schedule.remove(departure.key);
    return stored ? 'archived' : 'gone';
  }

  private async sweepOnce(): Promise<number> {
    const now = this.deps.clock.now();
    const until = slotOf(now);
    let archived = 0;
    let cursor = this.cursor ?? until;
    for (let slot = cursor; slot <= until && !this.stopped; slot++) {
      let pending = false;
      for (const departure of await this.deps.schedule.slot(slot)) {
        if (departure.dueAt > now) {
          pending = true;
          continue;
        }
        try {
          const outcome = await this.retire(departure);
          if (outcome === 'archived') archived++;
          if (outcome === 'later' && slotOf(departure.dueAt) === slot) pending = true;
        } catch (err) {
          pending = true;
          this.deps.logger.warn({ err, executionId: departure.executionId }, 'retention: archiving failed; retried at the next sweep');
        }
      }
      // The cursor moves past a slot only once nothing in it is left to do.
      if (!pending && cursor === slot) cursor = slot + 1;
    }
    this.cursor = Math.min(cursor, until);
    if (archived) this.deps.logger.info({ archived }, 'retention: ended executions archived');
    return archived;
  }

  private async forgetLeftovers(executionId: string): Promise<void> {
    const { timers, attempts } = this.deps;
    for (const key of await timers.keys(`${executionId}.>`)) await timers.delete(key);
    await attempts.forgetExecution(executionId);
  }

  private tick(): void {
    if (this.stopped) return;
    void this.sweep()
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'retention: sweep failed'))
      .finally(() => {
        if (!this.stopped) this.alarm = this.deps.clock.setTimer(this.deps.clock.now() + this.deps.sweepIntervalMs, () => this.tick());
      });
  }
}
