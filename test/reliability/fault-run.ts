/**
 * One fault run: registers the reliability workload on a deployment of real
 * processes, triggers executions at a steady pace while a fault scenario
 * runs, records the history, checks it, prints the checker's counts and
 * returns the report. Triggers carry idempotency keys and are retried until
 * accepted, so a broker fault delays a trigger but never drops or doubles it.
 */
import { workflow, type WorkflowDefinition } from '@squadflow/shared';
import { quietPeriod, type ChildHandle } from '@squadflow/transport/testing';
import type { Deployment } from '../process/support.ts';
import { assertClean, checkHistory, formatReport, type CheckReport, type WorkflowShape } from './checker.ts';
import type { History } from './history.ts';
import { HistoryRecorder } from './recorder.ts';

/** Short form in CI; `RELIABILITY_LONG=1` runs the long form. */
export const LONG = process.env['RELIABILITY_LONG'] === '1';

/** A seeded RNG (mulberry32), so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every step: a squad killed mid-step leaves its attempt to time out (10 s, twice the
 * matrix's AckWait_test, instead of the 30 s default) or to be answered
 * INTERRUPTED by the next delivery; a retry takes the step further.
 */
const STEP = { retry: { retries: 2, initialInterval: '200ms' }, timeout: '10s' };

/**
 * Five steps on two squads: a slow step (0–200 ms, from the context), a step
 * that fails its first attempt and is retried, a delayed step, another slow
 * one and a last one. Order, retries and a durable timer in one execution.
 */
export const WORKLOAD: WorkflowDefinition = workflow('reliability')
  .task('a', { squad: 'alpha', action: 'sleep', input: '{ "ms": latency }', ...STEP })
  .task('b', {
    squad: 'beta',
    action: 'flaky',
    input: '{ "failAttempts": 1 }',
    dependsOn: ['a'],
    ...STEP,
    retry: { retries: 3, initialInterval: '200ms' },
  })
  .task('c', { squad: 'alpha', action: 'noop', delay: '500ms', dependsOn: ['b'], ...STEP })
  .task('d', { squad: 'beta', action: 'sleep', input: '{ "ms": latency }', dependsOn: ['c'], ...STEP })
  .task('e', { squad: 'alpha', action: 'noop', dependsOn: ['d'], ...STEP })
  .build();

export const WORKLOAD_SHAPE: WorkflowShape = {
  steps: { a: {}, b: { dependsOn: ['a'] }, c: { dependsOn: ['b'], delayMs: 500 }, d: { dependsOn: ['c'] }, e: { dependsOn: ['d'] } },
};

export const WORKLOAD_SQUADS = ['alpha', 'beta'];

/**
 * A fault scenario: `kills` times, after U(0.5, 3) s (seeded), SIGKILL the
 * process `victim()` returns, wait for its death, then `restart()` it.
 */
export function killRepeatedly(
  kills: number,
  victim: () => ChildHandle,
  restart: () => Promise<unknown>,
): (random: () => number) => Promise<void> {
  return async (random) => {
    for (let k = 0; k < kills; k++) {
      await quietPeriod(500 + random() * 2_500); // the random kill time
      const child = victim();
      child.kill('SIGKILL');
      await child.exited;
      await restart();
    }
  };
}

export interface RecordedRunOptions {
  deployment: Deployment;
  /** Registered before the run. */
  definition: WorkflowDefinition;
  executions: number;
  /** The context of execution `i`. */
  context(i: number): Record<string, unknown>;
  /** Pause between two triggers. */
  paceMs: number;
  seed: number;
  /** The fault scenario, run while the executions are triggered; resolves when the faults are over. */
  faults(random: () => number): Promise<void>;
  /** How long after the faults every execution may take to end. */
  settleMs: number;
}

/** Triggers the executions at a steady pace while the faults run, and returns the run's history. */
export async function recordedRun(o: RecordedRunOptions): Promise<History> {
  const d = o.deployment;
  await d.client.registerWorkflow(o.definition);
  const recorder = HistoryRecorder.start(d);
  const accepting: Promise<void>[] = [];
  const triggering = (async () => {
    for (let i = 0; i < o.executions; i++) {
      accepting.push(acceptWithRetries(d, o.definition.name, i, o.context(i)).then((id) => recorder.accepted(id)));
      await quietPeriod(o.paceMs); // the pace of the load, not a wait for a result
    }
  })();
  await Promise.all([triggering, o.faults(seededRandom(o.seed + 1))]);
  await Promise.all(accepting);
  return recorder.finish(o.settleMs);
}

export interface FaultRunOptions extends Omit<RecordedRunOptions, 'definition' | 'context'> {
  label: string;
  /** Whether every command publication can be observed (false when the broker is a victim). */
  commandsObserved: boolean;
}

/** The workload under faults: every execution must complete, and the history must be clean. */
export async function faultRun(o: FaultRunOptions): Promise<CheckReport> {
  const d = o.deployment;
  const random = seededRandom(o.seed);
  const latencies = Array.from({ length: o.executions }, () => Math.floor(random() * 200));
  const history = await recordedRun({ ...o, definition: WORKLOAD, context: (i) => ({ n: i, latency: latencies[i]! }) });
  const report = checkHistory(history, { shape: WORKLOAD_SHAPE, commandsObserved: o.commandsObserved });
  console.log(`${formatReport(o.label, report)} (seed ${o.seed})`);
  await explainFailures(d, history);
  assertClean(o.label, report, o.executions); // every execution of this workload can complete
  return report;
}

/** Prints the first executions that did not complete, with their errors, for the failure message. */
export async function explainFailures(d: Deployment, history: History): Promise<void> {
  const notCompleted = history.of('execution.ended').filter((e) => e.status !== 'completed');
  for (const e of notCompleted.slice(0, 3)) {
    const view = await d.client.getExecution(e.executionId);
    const steps = view?.steps.map((s) => [s.name, s.status, s.attempts.map((a) => a.error?.message ?? a.status)]);
    console.log(`not completed: ${JSON.stringify({ id: e.executionId, status: view?.status, error: view?.error, steps })}`);
  }
}

/** Triggers execution `i` until the engine accepts it (the key makes every try the same execution). */
export async function acceptWithRetries(d: Deployment, workflowName: string, i: number, context: Record<string, unknown>): Promise<string> {
  for (let tries = 1; ; tries++) {
    try {
      return await d.client.trigger(workflowName, context, { idempotencyKey: `run-${i}` });
    } catch (err) {
      if (tries >= 60) throw err;
      await quietPeriod(500); // the broker is down: try again, as a caller would
    }
  }
}
