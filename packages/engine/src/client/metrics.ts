import { TERMINAL_STATUSES, type ExecutionStatus } from '@squadflow/shared';
import type { ExecutionView } from './execution-view.ts';
import type { BreakerView } from '../breakers/circuit-breakers.ts';

export interface StepDurationStats {
  workflow: string;
  step: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface EngineMetrics {
  total: number;
  byStatus: Record<ExecutionStatus, number>;
  /** completed / ended executions, 0..1; null before any execution ended. */
  successRate: number | null;
  active: number;
  steps: StepDurationStats[];
  /** Circuit breakers per squad action (only actions whose steps declare one). */
  breakers: BreakerView[];
}

/**
 * Computes metrics: counts and success rate from `byStatus` (the listing
 * index's counts), step duration percentiles of successful attempts from
 * `sample` (the newest ended executions).
 */
export function computeMetrics(
  byStatus: Record<ExecutionStatus, number>,
  sample: readonly ExecutionView[],
  breakers: BreakerView[] = [],
): EngineMetrics {
  const durations = new Map<string, number[]>();
  for (const r of sample) {
    for (const step of r.steps) {
      for (const a of step.attempts) {
        if (a.status !== 'completed' || a.compensation || a.endedAt === undefined) continue;
        const key = `${r.workflow}\u0000${step.name}`;
        const list = durations.get(key) ?? [];
        list.push(a.endedAt - a.startedAt);
        durations.set(key, list);
      }
    }
  }
  const total = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  const ended = [...TERMINAL_STATUSES].reduce((sum, s) => sum + byStatus[s], 0);
  const steps = [...durations.entries()].map(([key, list]) => {
    const [workflow, step] = key.split('\u0000') as [string, string];
    list.sort((a, b) => a - b);
    return { workflow, step, count: list.length, p50Ms: percentile(list, 0.5), p95Ms: percentile(list, 0.95) };
  });
  return {
    total,
    byStatus,
    successRate: ended ? byStatus.completed / ended : null,
    active: total - ended,
    steps: steps.sort((a, b) => (a.workflow + a.step).localeCompare(b.workflow + b.step)),
    breakers,
  };
}

/** Nearest-rank percentile of a sorted list. */
function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
