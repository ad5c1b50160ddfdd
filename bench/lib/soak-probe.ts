/**
 * The bench's side of bench/processes/probe.mjs (preloaded into the soak's
 * orchestrator): reads its `probe …` lines, and asks it for a forced GC
 * (SIGUSR2) whose result comes back as a `probe-gc …` line.
 */
/** Node flags that load the probe and allow its forced GC. */
export const PROBE_NODE_ARGS = ['--expose-gc', '--import', new URL('../processes/probe.mjs', import.meta.url).href];

export interface ProbeLine {
  at: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

/** Event-loop delay beyond the monitor's 10 ms tick, over a span. */
export interface LagSummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ticks: number;
}

export interface GcLine {
  at: number;
  gcMs: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Measured before the GC: the whole life, and since the first forced GC (the soak's mark). */
  lagTotal: LagSummary;
  lagSinceMark?: LagSummary;
}

const GC_TIMEOUT_MS = 30_000;

export class ProbeReader {
  readonly lines: ProbeLine[] = [];
  private gcWaiters: ((line: GcLine) => void)[] = [];

  /** For `SpawnOptions.onLine`: true for the probe's own lines (not forwarded). */
  readonly onLine = (line: string): boolean => {
    const space = line.indexOf(' ');
    const kind = line.slice(0, space);
    if (kind !== 'probe' && kind !== 'probe-gc') return false;
    const body = JSON.parse(line.slice(space + 1)) as Record<string, unknown>;
    if (kind === 'probe') this.lines.push(body as unknown as ProbeLine);
    else if (typeof body['error'] === 'string') throw new Error(`probe: ${body['error']}`);
    else for (const resolve of this.gcWaiters.splice(0)) resolve(body as unknown as GcLine);
    return true;
  };

  /** The latest interval line (undefined before the first). */
  latest(): ProbeLine | undefined {
    return this.lines.at(-1);
  }

  /** Forces a full GC in the process and resolves with its heap right after. */
  forceGc(pid: number): Promise<GcLine> {
    return new Promise<GcLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no probe-gc line within ${GC_TIMEOUT_MS} ms`)), GC_TIMEOUT_MS);
      this.gcWaiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      process.kill(pid, 'SIGUSR2');
    });
  }
}
