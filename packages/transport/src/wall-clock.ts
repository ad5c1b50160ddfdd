import type { Clock } from './ports.ts';

/** Node timers overflow past ~24.8 days: longer waits are armed in slices. */
const MAX_TIMEOUT = 2 ** 31 - 1;
/** How often alarms are checked against the wall clock, to catch a forward jump. */
const DEFAULT_WATCH_MS = 1_000;

export interface WallClockOptions {
  /** Wall time, epoch ms (default `Date.now`). Tests pass a source they can jump. */
  now?: () => number;
  /** How often due alarms are looked for besides their own timer (default 1 s): the lateness bound after a forward jump. */
  watchMs?: number;
}

interface Alarm {
  at: number;
  fn: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * A `Clock` on the wall clock whose alarms are due at absolute wall times,
 * also when the wall clock jumps (NTP step, VM resume, an operator's
 * `date -s`; matrix E1). Node's timers run on the monotonic clock: a
 * `setTimeout` armed for a wall time fires after the delay computed when it
 * was armed, whatever the wall clock did meanwhile. So:
 * - after a backward jump that timer fires before the wall due time: the
 *   alarm checks the wall clock and waits again (never early);
 * - after a forward jump it would fire up to the jump's size late: a
 *   watcher looks for due alarms every `watchMs` while any is set and
 *   fires them (late by at most `watchMs`).
 * Each alarm fires once.
 */
export function wallClock(options: WallClockOptions = {}): Clock {
  const now = options.now ?? Date.now;
  const watchMs = options.watchMs ?? DEFAULT_WATCH_MS;
  const alarms = new Set<Alarm>();
  let watcher: ReturnType<typeof setInterval> | undefined;

  const fire = (alarm: Alarm): void => {
    if (!alarms.delete(alarm)) return;
    if (alarm.timer) clearTimeout(alarm.timer);
    if (alarms.size === 0) stopWatching();
    alarm.fn();
  };
  const arm = (alarm: Alarm): void => {
    const wait = alarm.at - now();
    alarm.timer = setTimeout(() => (now() >= alarm.at ? fire(alarm) : arm(alarm)), Math.min(MAX_TIMEOUT, Math.max(0, wait)));
    alarm.timer.unref?.();
  };
  const watch = (): void => {
    const t = now();
    for (const alarm of [...alarms]) if (alarm.at <= t) fire(alarm);
  };
  const stopWatching = (): void => {
    if (watcher !== undefined) clearInterval(watcher);
    watcher = undefined;
  };

  return {
    now,
    setTimer: (at, fn) => {
      const alarm: Alarm = { at, fn };
      alarms.add(alarm);
      arm(alarm);
      if (watcher === undefined) {
        watcher = setInterval(watch, watchMs);
        watcher.unref?.();
      }
      return alarm;
    },
    clearTimer: (handle) => {
      const alarm = handle as Alarm | undefined;
      if (!alarm || !alarms.delete(alarm)) return;
      if (alarm.timer) clearTimeout(alarm.timer);
      if (alarms.size === 0) stopWatching();
    },
  };
}
