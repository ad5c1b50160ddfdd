/** What every scenario takes and gives back to `run.ts`. */
import type { Cell } from './table.ts';

export interface Settings {
  quick: boolean;
  full: boolean;
  profile: boolean;
  /** Latency at 1 in flight: executions dropped, then measured. */
  latency: { warmupCount: number; count: number };
  /** Throughput windows. */
  throughput: { warmupMs: number; durationMs: number };
  parked: number;
  recovery: number;
  /** The soak's load: executions per second for how long. */
  soak: { durationMs: number; rate: number };
}

export interface SettingsFlags {
  quick: boolean;
  full: boolean;
  profile: boolean;
  /** `--duration` of the soak, ms (default 10 minutes). */
  soakDurationMs?: number;
  /** `--rate` of the soak, executions/s (default 20). */
  soakRate?: number;
}

export function settingsFor(flags: SettingsFlags): Settings {
  const { quick, full, profile } = flags;
  return {
    quick,
    full,
    profile,
    soak: { durationMs: flags.soakDurationMs ?? 600_000, rate: flags.soakRate ?? 20 },
    latency: quick ? { warmupCount: 50, count: 200 } : { warmupCount: 100, count: 600 },
    throughput: quick ? { warmupMs: 1_500, durationMs: 4_000 } : { warmupMs: 3_000, durationMs: 15_000 },
    parked: flags.full ? 100_000 : quick ? 2_000 : 10_000,
    recovery: quick ? 1_000 : 10_000,
  };
}

/** Named figures: floors' and scenarios' numbers that targets and ratios refer to. */
export type Figures = Record<string, number>;

export interface ScenarioResult {
  scenario: string;
  figures: Figures;
  /** Printed and written to BENCHMARKS.md: [what, value, unit, floor, ratio] unless `head` names other columns. */
  rows: Cell[][];
  /** Column names when not ROW_HEAD (the peers' table). */
  head?: string[];
  settings: Record<string, unknown>;
  /** Raw samples and summaries for the results file. */
  data: Record<string, unknown>;
}

export interface RunContext {
  settings: Settings;
  /** Figures of the floors measured earlier in this run (empty when floors were not run). */
  floors: Figures;
  /** Figures of every scenario measured earlier in this run, keyed `<scenario>.<name>` (the peers compare to them). */
  figures: Figures;
  /** The run's timestamp, which names its result files. */
  stamp: string;
}

export const ROW_HEAD = ['measure', 'value', 'unit', 'floor', 'ratio'];
