/**
 * Preloaded (`--import`) into the orchestrator by the soak scenario only: it
 * measures from inside the process without a change to the engine.
 *
 * - Every SOAK_PROBE_MS (default 5,000) it prints one stdout line
 *   `probe {"lagP99Ms":…,"lagMaxMs":…,"heapUsedMb":…,…}`: event-loop delay
 *   (perf_hooks `monitorEventLoopDelay`, 10 ms resolution) over that interval,
 *   then reset, and the heap as `process.memoryUsage()` sees it.
 * - On SIGUSR2 it prints the event-loop delay over the whole life (`total`)
 *   and since the first SIGUSR2 (`sinceMark`: the soak sends the first at the
 *   end of its warm-up), then runs a full GC (`global.gc`, so the process
 *   must run with `--expose-gc`) and prints `probe-gc {"heapUsedMb":…}`: the
 *   live heap. The forced GC's own pause is kept out of `sinceMark` and of
 *   the next interval (they restart after it); in `total` it is 3 ticks of
 *   tens of thousands, below its p99.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const everyMs = Number(process.env['SOAK_PROBE_MS'] ?? 5_000);
const interval = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const total = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const sinceMark = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
let marked = false;
interval.enable();
total.enable();

/** Lag in ms: the monitor records the time between its ticks, so its own resolution is taken off. */
const lag = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
const mb = (bytes) => Math.round(bytes / 1024 / 10.24) / 100;

function heap() {
  const m = process.memoryUsage();
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
}

function print(kind, body) {
  process.stdout.write(`${kind} ${JSON.stringify({ at: Date.now(), ...body })}\n`);
}

// The timer must not keep a stopping orchestrator alive.
setInterval(() => {
  print('probe', {
    lagP50Ms: lag(interval.percentile(50)),
    lagP99Ms: lag(interval.percentile(99)),
    lagMaxMs: lag(interval.max),
    ...heap(),
  });
  interval.reset();
}, everyMs).unref();

const summary = (h) => ({ p50Ms: lag(h.percentile(50)), p99Ms: lag(h.percentile(99)), maxMs: lag(h.max), ticks: h.count });

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc !== 'function') {
    print('probe-gc', { error: 'run with --expose-gc' });
    return;
  }
  const lagTotal = summary(total);
  const lagSinceMark = marked ? summary(sinceMark) : undefined;
  const t0 = performance.now();
  globalThis.gc();
  print('probe-gc', {
    gcMs: Math.round((performance.now() - t0) * 10) / 10,
    ...heap(),
    lagTotal,
    ...(lagSinceMark ? { lagSinceMark } : {}),
  });
  // After the tick that the GC delayed: restart the interval (and, the first time, start `sinceMark`).
  setTimeout(() => {
    interval.reset();
    if (!marked) {
      marked = true;
      sinceMark.enable();
    }
  }, 2 * RESOLUTION_MS);
});
