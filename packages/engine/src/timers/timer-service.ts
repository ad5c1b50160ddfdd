import { partitionOf, timerCodec, type Logger, type TimerFired } from '@squadflow/shared';
import { KvConflictError, KvRecords, type Clock, type KvStore } from '@squadflow/transport';
import { isVolatileTimer, timerKindOf } from '../compile/ids.ts';

/**
 * Durable timers: every delay, retry backoff and wait deadline is a KV entry
 * plus an in-memory alarm. Step timeouts (see `isVolatileTimer`) are alarms
 * only: the execution's snapshot lists them with their due time, and the
 * orchestrator re-arms them from it at start (`restore`), which saves two KV
 * writes per step attempt. XState's own `after` delays are not used: they
 * are not restored from persisted snapshots (statelyai/xstate#5331).
 * On start every stored timer is re-armed; one that fell due while the
 * orchestrator was down fires at once (late, never lost). A timer's entry is
 * deleted only after its event has been applied, so a crash in between makes
 * it fire again, and the execution ignores the stale repeat.
 *
 * Each replica holds the alarms of the timers it armed. So that a replica
 * that dies for good (scaled down, SIGKILLed and not restarted) leaves no
 * timer behind, every replica sweeps the stored timers every 15 s and takes
 * over any that is more than 10 s overdue and that it does not hold: it
 * fires late, never never. Two replicas firing the same timer are harmless
 * (the second is stale to its execution); a taken-over timer's entry is
 * deleted only at the revision it was taken at, so a timer re-armed
 * meanwhile under the same id is kept.
 *
 * Partitions (docs/architecture.md, "Partitions and leases"): a replica
 * holds the alarms of the executions of the partitions it holds, and only
 * those. `adopt` arms a partition's stored timers when its lease is won,
 * `drop` disarms them when it is given up; the sweep looks only at held
 * partitions. A timer armed for an execution of another replica's partition
 * (its trigger or signal came through here) is stored if durable, not armed,
 * and the holder is told (`foreign`) to arm it from the execution's record.
 */
/** Which partitions this process holds, and how to tell another partition's holder to arm a timer. */
export interface TimerPartitions {
  owns(partition: number): boolean;
  /** Tells the holder of `executionId`'s partition to arm its timers from its record (`timerId` identifies the request). */
  foreign(executionId: string, timerId: string): Promise<void>;
}

/** Without partitioning: this process holds every partition. */
export const EVERY_PARTITION: TimerPartitions = { owns: () => true, foreign: () => Promise.resolve() };

/** The execution a timer id belongs to (`timerId`: execution ids hold no dot). */
export const executionOfTimer = (id: string): string => id.split('.', 1)[0]!;

/** How often every stored timer is checked for one that no process fired. */
export const SWEEP_INTERVAL_MS = 15_000;
/** A stored timer this far past due that this process does not hold is taken over. */
export const TAKEOVER_AFTER_MS = 10_000;
/** A timer its execution deferred (paused) is swept again only after this long. */
const DEFERRED_RECHECK_MS = 5 * 60_000;

export class TimerService {
  private readonly alarms = new Map<string, unknown>();
  /** The execution of each armed alarm (to drop a partition's). */
  private readonly alarmExecutions = new Map<string, string>();
  /** Timers firing now, with their execution and firing, so dropping a partition can wait for its own. */
  private readonly firingNow = new Map<string, { executionId: string; done: Promise<void> }>();
  /** Timers whose event is being applied right now. */
  private readonly firing = new Set<string>();
  /** Volatile timers that fired while their execution was paused: kept here until it resumes. */
  private readonly parked = new Map<string, TimerFired>();
  /** Volatile timers found in KV (written by an older version): deleted from there once done. */
  private readonly storedVolatile = new Set<string>();
  private stopped = false;
  private readonly records: KvRecords<TimerFired>;
  /** Timers taken over by the sweep, with the revision they were stored at then. */
  private readonly takenOver = new Map<string, number>();
  /** Durable timers whose execution deferred them (paused), and when: the sweep leaves them alone a while. */
  private readonly deferred = new Map<string, number>();
  private sweepAlarm: unknown;

  constructor(
    kv: KvStore,
    private readonly clock: Clock,
    /**
     * Applies a due timer; `false` means deferred (the execution is paused): keep it stored, unarmed.
     * `tries`: 1 on the first firing in this process, one more each time the previous one threw.
     */
    private readonly onFire: (timer: TimerFired, tries: number) => Promise<boolean | void>,
    private readonly logger: Logger,
    private readonly partitions: TimerPartitions = EVERY_PARTITION,
  ) {
    this.records = new KvRecords(kv, timerCodec.schema);
  }

  /** Loads and arms every stored timer of the partitions held now (all of them without partitioning), and starts the sweep. */
  async start(): Promise<number> {
    const armed = await this.load((p) => this.partitions.owns(p));
    this.scheduleSweep();
    return armed;
  }

  /** Arms the stored timers of partitions just won. Returns how many. */
  adopt(partitions: readonly number[]): Promise<number> {
    const won = new Set(partitions);
    return this.load((p) => won.has(p));
  }

  /** Disarms the timers of partitions given up (parked ones too), after the ones firing now are done. */
  async drop(partitions: readonly number[]): Promise<void> {
    const gone = new Set(partitions);
    const inGone = (executionId: string) => gone.has(partitionOf(executionId));
    for (const [id, executionId] of this.alarmExecutions) if (inGone(executionId)) this.unschedule(id);
    for (const [id, timer] of this.parked) if (inGone(timer.executionId)) this.parked.delete(id);
    await Promise.all([...this.firingNow.values()].filter((f) => inGone(f.executionId)).map((f) => f.done));
  }

  private async load(wanted: (partition: number) => boolean): Promise<number> {
    let armed = 0;
    for (const { value: timer } of await this.records.entries()) {
      if (!wanted(partitionOf(timer.executionId))) continue;
      if (isVolatileTimer(timer.timer)) this.storedVolatile.add(timer.id);
      if (!this.holds(timer.id)) this.schedule(timer);
      armed++;
    }
    return armed;
  }

  private owns(executionId: string): boolean {
    return this.partitions.owns(partitionOf(executionId));
  }

  /**
   * Takes over stored timers more than `TAKEOVER_AFTER_MS` overdue that this
   * process does not hold (their replica is gone). Returns how many; a failed
   * read is logged and left to the next sweep.
   */
  async sweep(): Promise<number> {
    let taken = 0;
    try {
      const now = this.clock.now();
      for (const { value: timer, revision } of await this.records.entries()) {
        if (this.stopped || this.holds(timer.id) || timer.dueAt > now - TAKEOVER_AFTER_MS || !this.owns(timer.executionId)) continue;
        const deferredAt = this.deferred.get(timer.id);
        if (deferredAt !== undefined && now - deferredAt < DEFERRED_RECHECK_MS) continue;
        this.logger.warn({ timer: timer.id, overdueMs: now - timer.dueAt }, 'taking over an overdue timer that no process fired');
        this.takenOver.set(timer.id, revision);
        this.schedule(timer);
        taken++;
      }
    } catch (err) {
      this.logger.warn({ err }, 'timer sweep failed; trying again at the next one');
    }
    return taken;
  }

  async arm(timer: TimerFired): Promise<void> {
    this.parked.delete(timer.id);
    this.takenOver.delete(timer.id);
    if (!isVolatileTimer(timer.timer)) await this.records.put(timer.id, timer);
    if (this.owns(timer.executionId)) return this.schedule(timer);
    // Another replica's partition: it arms the timer from the record (already persisted: effects follow the write).
    this.unschedule(timer.id);
    await this.partitions.foreign(timer.executionId, timer.id);
  }

  /** Whether this process holds the timer: armed, firing, or parked (its execution is paused). */
  holds(id: string): boolean {
    return this.alarms.has(id) || this.firing.has(id) || this.parked.has(id);
  }

  /** Arms a volatile timer listed in a snapshot, unless this process already holds it. */
  restore(timer: TimerFired): void {
    if (!this.holds(timer.id) && this.owns(timer.executionId)) this.schedule(timer);
  }

  /** Arms a stored timer again (a resumed execution's timers; overdue ones fire at once). */
  async reload(id: string): Promise<void> {
    const parked = this.parked.get(id);
    if (parked) {
      this.parked.delete(id);
      return this.schedule(parked);
    }
    if (this.alarms.has(id) || isVolatileTimer(timerKindOf(id))) return;
    const executionId = executionOfTimer(id);
    if (!this.owns(executionId)) return this.partitions.foreign(executionId, id);
    const stored = await this.records.get(id);
    if (stored) this.schedule(stored.value);
  }

  async cancel(id: string): Promise<void> {
    this.unschedule(id);
    this.parked.delete(id);
    this.takenOver.delete(id);
    await this.forget(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.sweepAlarm !== undefined) this.clock.clearTimer(this.sweepAlarm);
    for (const id of [...this.alarms.keys()]) this.unschedule(id);
  }

  get armed(): number {
    return this.alarms.size;
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweepAlarm = this.clock.setTimer(this.clock.now() + SWEEP_INTERVAL_MS, () => {
      void this.sweep().finally(() => this.scheduleSweep());
    });
  }

  private schedule(timer: TimerFired): void {
    if (this.stopped) return;
    this.unschedule(timer.id);
    this.alarmExecutions.set(timer.id, timer.executionId);
    this.alarms.set(
      timer.id,
      this.clock.setTimer(timer.dueAt, () => void this.fire(timer)),
    );
  }

  private unschedule(id: string): void {
    const alarm = this.alarms.get(id);
    if (alarm !== undefined) this.clock.clearTimer(alarm);
    this.alarms.delete(id);
    this.alarmExecutions.delete(id);
  }

  private fire(timer: TimerFired, tries = 1): Promise<void> {
    const done = this.fireOnce(timer, tries);
    const entry = { executionId: timer.executionId, done };
    this.firingNow.set(timer.id, entry);
    return done.finally(() => {
      if (this.firingNow.get(timer.id) === entry) this.firingNow.delete(timer.id);
    });
  }

  private async fireOnce(timer: TimerFired, tries: number): Promise<void> {
    this.alarms.delete(timer.id);
    this.alarmExecutions.delete(timer.id);
    // Stopped, or its partition's lease lapsed before the drop (this process was paused): the holder fires it.
    if (this.stopped || !this.owns(timer.executionId)) return;
    // Node's timers may fire a millisecond early by the wall clock: never deliver before the due time.
    if (this.clock.now() < timer.dueAt) return this.schedule(timer);
    this.firing.add(timer.id);
    try {
      const applied = await this.onFire(timer, tries);
      if (applied === false && isVolatileTimer(timer.timer)) this.parked.set(timer.id, timer);
      if (applied === false) this.deferred.set(timer.id, this.clock.now());
      else this.deferred.delete(timer.id);
      // Deferred, or re-armed meanwhile (same id scheduled again)? Then keep it.
      if (applied !== false && !this.alarms.has(timer.id)) await this.forget(timer.id);
    } catch (err) {
      this.logger.warn({ err, timer: timer.id }, 'timer event failed; retrying in 1 s');
      if (!this.stopped) {
        this.alarmExecutions.set(timer.id, timer.executionId);
        this.alarms.set(
          timer.id,
          this.clock.setTimer(this.clock.now() + 1_000, () => void this.fire(timer, tries + 1)),
        );
      }
    } finally {
      this.firing.delete(timer.id);
    }
  }

  /** Deletes a timer's KV entry; volatile timers have none (unless an older version stored them). */
  private async forget(id: string): Promise<void> {
    this.deferred.delete(id);
    const takenAt = this.takenOver.get(id);
    this.takenOver.delete(id);
    if (takenAt !== undefined) {
      // Taken over from another replica: that one may have re-armed the same id meanwhile; keep a newer entry.
      return this.records.delete(id, { revision: takenAt }).catch((err: unknown) => {
        if (!(err instanceof KvConflictError)) throw err;
      });
    }
    if (!isVolatileTimer(timerKindOf(id))) return this.records.delete(id);
    if (this.storedVolatile.delete(id)) await this.records.delete(id);
  }
}
