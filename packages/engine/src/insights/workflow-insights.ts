/**
 * Insights for one workflow, computed from a sample of its executions (the
 * newest, from the listing index): how long executions take, how they end,
 * how many start and end over time, which steps make up the critical path,
 * where retries happen, and advice (seed 003's optimiser): steps that could
 * run in parallel, slow steps, steps whose retries mostly fail.
 */
import { dependencyName, TERMINAL_STATUSES, type ExecutionStatus, type WorkflowDefinition } from '@squadflow/shared';
import type { ExecutionView, StepView } from '../client/execution-view.ts';

export interface DurationStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface StepInsights extends DurationStats {
  step: string;
  /** `squad.action` of a task step. */
  action?: string;
  /** Executions in which the step needed more than one attempt. */
  retried: number;
  /** Of those, how many completed in the end (0..1; null when none retried). */
  retrySuccessRate: number | null;
  /** Executions in which the step was on the critical path (0..1 of the ended sample). */
  criticalShare: number;
  /** Its mean share of the execution's duration when it was on the critical path (0..1). */
  meanShareOfDuration: number;
}

export interface ThroughputBucket {
  from: number;
  to: number;
  started: number;
  ended: number;
}

export type Advice =
  | { kind: 'parallelizable'; step: string; dependsOn: string; message: string }
  | { kind: 'slow-step'; step: string; p95Ms: number; message: string }
  | { kind: 'failing-retries'; step: string; retried: number; retrySuccessRate: number; message: string };

export interface WorkflowInsights {
  workflow: string;
  /** Executions read (newest first), and how many of them had ended. */
  sampled: number;
  ended: number;
  /** The creation times the sample spans; null for no execution. */
  window: { from: number; to: number } | null;
  /** Of ended executions, creation to end. */
  durations: DurationStats | null;
  byStatus: Partial<Record<ExecutionStatus, number>>;
  /** completed / ended (null before any ended). */
  successRate: number | null;
  /** Ended without completing, by error code. */
  errors: Array<{ code: string; count: number }>;
  throughput: ThroughputBucket[];
  steps: StepInsights[];
  /** The most frequent critical path of the sample, step by step. */
  criticalPath: string[];
  advice: Advice[];
}

/** A step's p95 above this share of the executions' p50 is called slow, if it is also at least `SLOW_MIN_MS`. */
const SLOW_SHARE = 0.5;
/** Below this, no step is worth calling slow (millisecond steps only add noise). */
const SLOW_MIN_MS = 500;
/** Retries judged only with at least this many retried executions. */
const MIN_RETRIED = 3;
const BUCKET_SIZES_MS = [60_000, 5 * 60_000, 15 * 60_000, 3_600_000, 6 * 3_600_000, 86_400_000];
const MAX_BUCKETS = 24;

export function computeInsights(definition: WorkflowDefinition, sample: readonly ExecutionView[]): WorkflowInsights {
  const ended = sample.filter((e) => TERMINAL_STATUSES.has(e.status) && e.endedAt !== undefined);
  const byStatus: Partial<Record<ExecutionStatus, number>> = {};
  for (const e of sample) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
  const errors = new Map<string, number>();
  for (const e of ended) {
    if (e.status === 'completed') continue;
    const code = e.error?.code ?? e.status.toUpperCase();
    errors.set(code, (errors.get(code) ?? 0) + 1);
  }
  const durations = stats(ended.map((e) => e.endedAt! - e.createdAt));
  const dependencies = new Map(definition.steps.map((step) => [step.name, step.dependsOn.map(dependencyName)]));
  const paths = ended.map((e) => criticalPath(e, dependencies));
  const steps = stepInsights(definition, sample, ended, paths);
  return {
    workflow: definition.name,
    sampled: sample.length,
    ended: ended.length,
    window: sample.length ? { from: Math.min(...sample.map((e) => e.createdAt)), to: Math.max(...sample.map((e) => e.createdAt)) } : null,
    durations,
    byStatus,
    successRate: ended.length ? ended.filter((e) => e.status === 'completed').length / ended.length : null,
    errors: [...errors].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
    throughput: throughput(sample),
    steps,
    criticalPath: mostFrequent(paths.map((p) => p.map((s) => s.step))),
    advice: advise(definition, steps, durations),
  };
}

interface PathStep {
  step: string;
  /** From what gated it (its latest dependency's end, or the execution's start) to its end. */
  spanMs: number;
}

/**
 * The critical path of one ended execution, from its timings: from the step
 * that ended last, back through the dependency that ended last each time
 * (`dependencies`: each step's, from the definition).
 */
export function criticalPath(execution: ExecutionView, dependencies: ReadonlyMap<string, readonly string[]>): PathStep[] {
  const byName = new Map(execution.steps.filter((s) => s.endedAt !== undefined).map((s) => [s.name, s]));
  let current = [...byName.values()].sort((a, b) => b.endedAt! - a.endedAt!)[0];
  const path: PathStep[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.name)) {
    seen.add(current.name);
    const gate = gatingDependency(current, dependencies.get(current.name) ?? [], byName);
    path.unshift({ step: current.name, spanMs: current.endedAt! - (gate?.endedAt ?? execution.createdAt) });
    current = gate;
  }
  return path;
}

/** The dependency of `step` that ended last: the one it waited for. */
function gatingDependency(step: StepView, deps: readonly string[], byName: ReadonlyMap<string, StepView>): StepView | undefined {
  return deps
    .map((d) => byName.get(d))
    .filter((d): d is StepView => d !== undefined && d.endedAt! <= step.endedAt!)
    .sort((a, b) => b.endedAt! - a.endedAt!)[0];
}

function stepInsights(
  definition: WorkflowDefinition,
  sample: readonly ExecutionView[],
  ended: readonly ExecutionView[],
  paths: PathStep[][],
): StepInsights[] {
  return definition.steps.map((def) => {
    const views = sample.map((e) => e.steps.find((s) => s.name === def.name)).filter((s): s is StepView => s !== undefined);
    const active = views.filter((s) => s.startedAt !== undefined && s.endedAt !== undefined && s.status === 'completed');
    const retried = views.filter((s) => s.attempts.filter((a) => !a.compensation).length > 1);
    const settled = retried.filter((s) => ['completed', 'failed', 'compensated', 'skipped'].includes(s.status));
    const onPath = ended
      .map((e, i) => ({ e, at: paths[i]!.find((p) => p.step === def.name) }))
      .filter((x): x is { e: ExecutionView; at: PathStep } => x.at !== undefined);
    const shares = onPath.map(({ e, at }) => at.spanMs / Math.max(1, e.endedAt! - e.createdAt));
    const duration = stats(active.map((s) => s.endedAt! - s.startedAt!)) ?? { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 };
    return {
      step: def.name,
      ...(def.type === 'task' ? { action: `${def.squad ?? ''}.${def.action}` } : {}),
      ...duration,
      retried: retried.length,
      retrySuccessRate: settled.length ? settled.filter((s) => s.status === 'completed').length / settled.length : null,
      criticalShare: ended.length ? onPath.length / ended.length : 0,
      meanShareOfDuration: shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : 0,
    };
  });
}

function advise(definition: WorkflowDefinition, steps: StepInsights[], durations: DurationStats | null): Advice[] {
  const advice: Advice[] = [];
  for (const step of definition.steps) {
    const reads = JSON.stringify([step.condition ?? null, 'input' in step ? (step.input ?? null) : null]);
    for (const dep of step.dependsOn.map(dependencyName)) {
      const referenced = new RegExp(`\\$steps\\s*(\\.\\s*${dep}\\b|\\[\\s*\\\\?["']${dep}\\\\?["']\\s*\\])`).test(reads);
      if (!referenced) {
        advice.push({
          kind: 'parallelizable',
          step: step.name,
          dependsOn: dep,
          message: `"${step.name}" waits for "${dep}" but reads none of its output: unless the order matters, it could run alongside it`,
        });
      }
    }
  }
  for (const s of steps) {
    if (durations && s.count && s.p95Ms >= SLOW_MIN_MS && s.p95Ms > durations.p50Ms * SLOW_SHARE) {
      advice.push({
        kind: 'slow-step',
        step: s.step,
        p95Ms: s.p95Ms,
        message: `"${s.step}" takes ${s.p95Ms} ms at p95, more than half of a typical execution (${durations.p50Ms} ms)`,
      });
    }
    if (s.retried >= MIN_RETRIED && s.retrySuccessRate !== null && s.retrySuccessRate < 0.5) {
      advice.push({
        kind: 'failing-retries',
        step: s.step,
        retried: s.retried,
        retrySuccessRate: s.retrySuccessRate,
        message: `"${s.step}" was retried in ${s.retried} executions and completed in only ${Math.round(s.retrySuccessRate * 100)}% of them: retrying rarely helps`,
      });
    }
  }
  return advice;
}

function throughput(sample: readonly ExecutionView[]): ThroughputBucket[] {
  if (!sample.length) return [];
  const times = sample.flatMap((e) => [e.createdAt, ...(e.endedAt === undefined ? [] : [e.endedAt])]);
  const from = Math.min(...times);
  const span = Math.max(...times) - from + 1;
  const size = BUCKET_SIZES_MS.find((s) => span / s <= MAX_BUCKETS) ?? BUCKET_SIZES_MS.at(-1)!;
  const start = Math.floor(from / size) * size;
  const count = Math.min(Math.ceil((Math.max(...times) + 1 - start) / size), 10 * MAX_BUCKETS);
  const buckets = Array.from({ length: count }, (_, i) => ({ from: start + i * size, to: start + (i + 1) * size, started: 0, ended: 0 }));
  const at = (t: number) => buckets[Math.min(count - 1, Math.floor((t - start) / size))]!;
  for (const e of sample) {
    at(e.createdAt).started++;
    if (e.endedAt !== undefined) at(e.endedAt).ended++;
  }
  return buckets;
}

function stats(values: number[]): DurationStats | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50Ms: q(0.5), p95Ms: q(0.95), p99Ms: q(0.99) };
}

function mostFrequent(paths: string[][]): string[] {
  const counts = new Map<string, { path: string[]; n: number }>();
  for (const path of paths) {
    const key = path.join('\u0000');
    counts.set(key, { path, n: (counts.get(key)?.n ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0]?.path ?? [];
}
