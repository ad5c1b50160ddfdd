import { durationMs } from '@squadflow/shared';
import { cronFor, type NormalizedSpec } from './spec.ts';

/**
 * Slot arithmetic. A slot is the instant (epoch ms) a run is due; it names
 * the run (`schedule:<id>:<slot>`), so every replica must compute the same
 * slots from the same spec: no slot depends on when a process started.
 */
type Timing = Pick<NormalizedSpec, 'cron' | 'timezone' | 'every' | 'at'>;

/** The first slot strictly after `t`; `undefined` when there is none (a one-shot, a cron that ends). */
export function slotAfter(spec: Timing, t: number): number | undefined {
  if (spec.cron !== undefined) return cronFor(spec.cron, spec.timezone).nextRun(new Date(t))?.getTime();
  if (spec.every !== undefined) {
    // Aligned to the Unix epoch, not to creation: `1h` fires on the hour, and every replica agrees.
    const ms = durationMs(spec.every);
    return Math.floor(t / ms) * ms + ms;
  }
  return spec.at !== undefined && spec.at > t ? spec.at : undefined;
}

/** The slot a new schedule waits for: the first after `now`; a one-shot's `at` even if it has passed (it then fires at once). */
export function firstSlot(spec: Timing, now: number): number | undefined {
  return spec.at ?? slotAfter(spec, now);
}

/**
 * The latest slot in `[nextAt, now]`, given that `nextAt <= now` is due.
 * Earlier slots in that span were missed (no orchestrator reached them in time).
 */
export function latestDue(spec: Timing, nextAt: number, now: number): number {
  if (spec.cron !== undefined) {
    // croner's previousRuns is exclusive of its reference: now + 1 includes a slot at exactly now.
    const previous = cronFor(spec.cron, spec.timezone)
      .previousRuns(1, new Date(now + 1))[0]
      ?.getTime();
    return previous !== undefined && previous > nextAt ? previous : nextAt;
  }
  if (spec.every !== undefined) {
    const ms = durationMs(spec.every);
    return Math.max(nextAt, Math.floor(now / ms) * ms);
  }
  return nextAt;
}
