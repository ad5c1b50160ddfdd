/**
 * Closed-loop load: `inFlight` workers, each starting a new execution as
 * soon as its previous one completed. Either a fixed number of executions
 * (latency at 1 in flight) or a time window (throughput), after a warm-up
 * whose results are dropped (JIT, caches, consumers at speed).
 */
import { performance } from 'node:perf_hooks';
import { round } from './rss.ts';

/** Runs one execution to completion. */
export type RunOne = () => Promise<void>;

export type LoadPlan =
  { inFlight: number; warmupCount: number; count: number } | { inFlight: number; warmupMs: number; durationMs: number };

export interface LoadResult {
  inFlight: number;
  /** Executions completed inside the measured part. */
  completed: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  errors: number;
}

/** More errors than this and the run is worthless: stop and report. */
const MAX_ERRORS = 10;

export async function closedLoop(runOne: RunOne, plan: LoadPlan): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: unknown;
  let started = 0;
  const byCount = 'count' in plan;
  const t0 = performance.now();
  // By time: measuring starts once the warm-up time has passed *and* every
  // worker has completed an execution (a slow system is in steady state
  // only after one full round), but no later than a minute after that.
  let measureStart = byCount ? NaN : Infinity;
  let end = Infinity;
  let measureEnd = NaN;
  const warmed = new Set<number>();
  const maybeStartWindow = (now: number): void => {
    if (byCount || measureStart !== Infinity) return;
    if (now - t0 >= plan.warmupMs && (warmed.size >= plan.inFlight || now - t0 >= plan.warmupMs + 60_000)) {
      measureStart = now;
      end = now + plan.durationMs;
    }
  };

  const more = (): boolean => {
    if (errors > MAX_ERRORS) return false;
    if (byCount) return started < plan.warmupCount + plan.count;
    return performance.now() < end;
  };
  const worker = async (w: number): Promise<void> => {
    while (more()) {
      const index = started++;
      const begin = performance.now();
      try {
        await runOne();
      } catch (err) {
        errors++;
        firstError ??= err;
        continue;
      }
      const done = performance.now();
      if (byCount) {
        if (index === plan.warmupCount) measureStart = begin;
        if (index >= plan.warmupCount) {
          latenciesMs.push(done - begin);
          measureEnd = Number.isNaN(measureEnd) ? done : Math.max(measureEnd, done);
        }
      } else {
        warmed.add(w);
        if (done >= measureStart && done <= end) latenciesMs.push(done - begin);
        maybeStartWindow(done);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.inFlight }, (_, w) => worker(w)));
  if (errors > MAX_ERRORS || (errors && !latenciesMs.length)) {
    throw new Error(`${errors} executions failed; first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  }
  if (!byCount) measureEnd = end;
  const seconds = (measureEnd - measureStart) / 1000;
  return {
    inFlight: plan.inFlight,
    completed: latenciesMs.length,
    seconds: round(seconds, 2),
    perSecond: round(latenciesMs.length / seconds, 0),
    latenciesMs,
    errors,
  };
}

/** Runs `fn(0..count-1)` with at most `window` calls outstanding (bulk triggering). */
export async function windowed(count: number, window: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
}

/** Polls `check` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
