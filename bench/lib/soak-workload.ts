/**
 * The soak's mixed load (reliability matrix I1): five workflows on the
 * fixture squads of the process tests (test/process/fixtures/squad-process.ts,
 * whose invocation log is the ledger of applied effects the history checker
 * reads). Out of every 20 triggers: 12 five-step chains, 3 with a durable
 * delay, 2 that wait on a signal the bench sends, 2 whose step fails once and
 * is retried, and 1 that fails for good and compensates its earlier steps.
 */
import { workflow, type WorkflowDefinition } from '@squadflow/shared';
import type { WorkflowShape } from '../../test/reliability/checker.ts';

export const SOAK_SQUADS = ['alpha', 'beta'];
export const SOAK_SQUAD_SCRIPT = 'test/process/fixtures/squad-process.ts';

/** How long the delayed workflow's durable timer waits, and after how long the bench sends a waiting execution its signal. */
export const DELAY_MS = 3_000;
export const SIGNAL_AFTER_MS = 1_000;

const STEP = { timeout: '30s' };

const chain = workflow('soak_chain')
  .task('ch1', { squad: 'alpha', action: 'sleep', input: '{ "ms": latency }', ...STEP })
  .task('ch2', { squad: 'beta', action: 'noop', dependsOn: ['ch1'], ...STEP })
  .task('ch3', { squad: 'alpha', action: 'sleep', input: '{ "ms": latency }', dependsOn: ['ch2'], ...STEP })
  .task('ch4', { squad: 'beta', action: 'noop', dependsOn: ['ch3'], ...STEP })
  .task('ch5', { squad: 'alpha', action: 'noop', dependsOn: ['ch4'], ...STEP })
  .build();

const delayed = workflow('soak_delay')
  .task('dl1', { squad: 'alpha', action: 'noop', ...STEP })
  .task('dl2', { squad: 'beta', action: 'noop', delay: `${DELAY_MS}ms`, dependsOn: ['dl1'], ...STEP })
  .build();

const signalled = workflow('soak_signal')
  .task('sg1', { squad: 'beta', action: 'noop', ...STEP })
  .wait('sg_wait', { signal: 'soak_{$execution.id}', timeout: '5m', dependsOn: ['sg1'] })
  .task('sg2', { squad: 'alpha', action: 'noop', dependsOn: ['sg_wait'], ...STEP })
  .build();

const retried = workflow('soak_retry')
  .task('rt1', { squad: 'alpha', action: 'noop', ...STEP })
  .task('rt2', {
    squad: 'beta',
    action: 'flaky',
    input: '{ "failAttempts": 1 }',
    dependsOn: ['rt1'],
    retry: { retries: 2, initialInterval: '200ms' },
    ...STEP,
  })
  .task('rt3', { squad: 'alpha', action: 'noop', dependsOn: ['rt2'], ...STEP })
  .build();

const compensated = workflow('soak_compensate')
  .task('cp1', { squad: 'alpha', action: 'noop', compensate: { action: 'compensate' }, ...STEP })
  .task('cp2', { squad: 'beta', action: 'noop', dependsOn: ['cp1'], compensate: { action: 'compensate' }, ...STEP })
  .task('cp3', {
    squad: 'alpha',
    action: 'fail',
    input: '{ "retryable": true, "message": "soak: fails for good" }',
    dependsOn: ['cp2'],
    retry: { retries: 1, initialInterval: '200ms' },
    onError: 'compensate',
    ...STEP,
  })
  .build();

export interface SoakKind {
  definition: WorkflowDefinition;
  /** How many of every 20 triggers. */
  share: number;
  /** The terminal status every execution of it must reach. */
  ends: 'completed' | 'compensated';
  /** Send `soak_<execution id>` this long after the trigger was accepted. */
  signalAfterMs?: number;
}

export const SOAK_KINDS: SoakKind[] = [
  { definition: chain, share: 12, ends: 'completed' },
  { definition: delayed, share: 3, ends: 'completed' },
  { definition: signalled, share: 2, ends: 'completed', signalAfterMs: SIGNAL_AFTER_MS },
  { definition: retried, share: 2, ends: 'completed' },
  { definition: compensated, share: 1, ends: 'compensated' },
];

/** The kind of trigger `i`: the shares interleaved over each block of 20 (not 12 chains in a row). */
export function kindOf(i: number): SoakKind {
  const slot = i % 20;
  // Spread: slot s goes to the kind whose cumulative share first exceeds (s * 7) mod 20, a fixed permutation of 0..19.
  const spread = (slot * 7) % 20;
  let cumulative = 0;
  for (const kind of SOAK_KINDS) {
    cumulative += kind.share;
    if (spread < cumulative) return kind;
  }
  throw new Error('soak shares must add up to 20');
}

/** Execution `i`'s context: the chain's sleep steps take 0–19 ms. */
export function contextOf(i: number): Record<string, unknown> {
  return { n: i, latency: (i * 7919) % 20 };
}

/** Every step of every soak workflow, for the checker's order and early-timer checks (step names are unique across them). */
export const SOAK_SHAPE: WorkflowShape = {
  steps: {
    ch1: {},
    ch2: { dependsOn: ['ch1'] },
    ch3: { dependsOn: ['ch2'] },
    ch4: { dependsOn: ['ch3'] },
    ch5: { dependsOn: ['ch4'] },
    dl1: {},
    dl2: { dependsOn: ['dl1'], delayMs: DELAY_MS },
    sg1: {},
    sg2: { dependsOn: ['sg1'] },
    rt1: {},
    rt2: { dependsOn: ['rt1'] },
    rt3: { dependsOn: ['rt2'] },
    cp1: {},
    cp2: { dependsOn: ['cp1'] },
    cp3: { dependsOn: ['cp2'] },
  },
};
