/** Resident memory and CPU time of a process from /proc (Linux). */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Rss {
  /** Resident set now (VmRSS), MB. */
  rssMb: number;
  /** Peak resident set since the process started (VmHWM), MB. */
  hwmMb: number;
}

function field(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

export function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMb: round(field(status, 'VmRSS')), hwmMb: round(field(status, 'VmHWM')) };
}

/**
 * Polls VmRSS (VmHWM alone covers the whole life of the process; the
 * sampler gives the peak of one phase). Stops by itself when the process is gone.
 */
export class RssSampler {
  private timer: ReturnType<typeof setInterval>;
  peakMb = 0;
  lastMb = 0;
  samples = 0;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    try {
      const { rssMb } = readRss(this.pid);
      this.lastMb = rssMb;
      this.peakMb = Math.max(this.peakMb, rssMb);
      this.samples++;
    } catch {
      clearInterval(this.timer);
    }
  }

  stop(): { peakMb: number; lastMb: number; samples: number } {
    this.sample();
    clearInterval(this.timer);
    return { peakMb: round(this.peakMb), lastMb: round(this.lastMb), samples: this.samples };
  }
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

const TICKS_PER_S = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_S;
}
