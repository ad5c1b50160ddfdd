import type { Clock } from './ports.ts';

interface Alarm {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to: unit tests of timer logic, and the
 * time-skipping test environment. `advance(ms)` fires every alarm due in
 * that span, in due order, letting promise callbacks run between alarms.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly alarms = new Set<Alarm>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): unknown {
    const alarm = { at, seq: this.seq++, fn };
    this.alarms.add(alarm);
    return alarm;
  }

  clearTimer(handle: unknown): void {
    this.alarms.delete(handle as Alarm);
  }

  /** Alarms currently set. */
  get pending(): number {
    return this.alarms.size;
  }

  /** Due time of the earliest alarm, if any. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const a of this.alarms) if (min === undefined || a.at < min) min = a.at;
    return min;
  }

  /** Moves time forward by `ms`, firing due alarms in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const due = [...this.alarms].filter((a) => a.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.alarms.delete(due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise callbacks and immediates run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
