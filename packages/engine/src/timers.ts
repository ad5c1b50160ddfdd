import { timerCodec, type Logger, type TimerFired } from '@squadflow/shared';
import type { Clock, KvStore } from './ports.ts';

/**
 * Durable timers: every delay, step timeout, retry backoff and wait deadline
 * is a KV entry plus an in-memory alarm. XState's own `after` delays are not
 * used: they are not restored from persisted snapshots (statelyai/xstate#5331).
 * On start every stored timer is re-armed; one that fell due while the
 * orchestrator was down fires at once (late, never lost). A timer's entry is
 * deleted only after its event has been applied, so a crash in between makes
 * it fire again, and the execution ignores the stale repeat.
 */
export class TimerService {
  private readonly alarms = new Map<string, unknown>();
  private stopped = false;

  constructor(
    private readonly kv: KvStore,
    private readonly clock: Clock,
    /** Applies a due timer; `false` means deferred (the execution is paused): keep it stored, unarmed. */
    private readonly onFire: (timer: TimerFired) => Promise<boolean | void>,
    private readonly logger: Logger,
  ) {}

  /** Loads and arms every stored timer. */
  async start(): Promise<number> {
    const keys = await this.kv.keys();
    for (const key of keys) {
      const entry = await this.kv.get(key);
      if (entry) this.schedule(timerCodec.decode(entry.value));
    }
    return keys.length;
  }

  async arm(timer: TimerFired): Promise<void> {
    await this.kv.put(timer.id, timerCodec.encode(timer));
    this.schedule(timer);
  }

  /** Arms a stored timer again (a resumed execution's timers; overdue ones fire at once). */
  async reload(id: string): Promise<void> {
    const entry = await this.kv.get(id);
    if (entry) this.schedule(timerCodec.decode(entry.value));
  }

  async cancel(id: string): Promise<void> {
    this.unschedule(id);
    await this.kv.delete(id);
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.alarms.keys()]) this.unschedule(id);
  }

  get armed(): number {
    return this.alarms.size;
  }

  private schedule(timer: TimerFired): void {
    if (this.stopped) return;
    this.unschedule(timer.id);
    this.alarms.set(
      timer.id,
      this.clock.setTimer(timer.dueAt, () => void this.fire(timer)),
    );
  }

  private unschedule(id: string): void {
    const alarm = this.alarms.get(id);
    if (alarm !== undefined) this.clock.clearTimer(alarm);
    this.alarms.delete(id);
  }

  private async fire(timer: TimerFired): Promise<void> {
    this.alarms.delete(timer.id);
    if (this.stopped) return;
    // Node's timers may fire a millisecond early by the wall clock: never deliver before the due time.
    if (this.clock.now() < timer.dueAt) return this.schedule(timer);
    try {
      const applied = await this.onFire(timer);
      // Deferred, or re-armed meanwhile (same id scheduled again)? Then keep it.
      if (applied !== false && !this.alarms.has(timer.id)) await this.kv.delete(timer.id);
    } catch (err) {
      this.logger.warn({ err, timer: timer.id }, 'timer event failed; retrying in 1 s');
      if (!this.stopped)
        this.alarms.set(
          timer.id,
          this.clock.setTimer(this.clock.now() + 1_000, () => void this.fire(timer)),
        );
    }
  }
}
