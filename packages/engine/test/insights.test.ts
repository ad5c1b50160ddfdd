import { describe, expect, it } from 'vitest';
import { workflow, type ExecutionStatus } from '@squadflow/shared';
import { computeInsights, criticalPath, type ExecutionView, type StepView } from '../src/index.ts';

/** a → b (reads a's output), a → c (reads nothing of a), b, c → d. */
const definition = workflow('orders')
  .task('a', { squad: 'shop', action: 'reserve' })
  .task('b', { squad: 'shop', action: 'charge', dependsOn: ['a'], input: '{ "amount": $steps.a.total }' })
  .task('c', { squad: 'mail', action: 'notify', dependsOn: ['a'], input: '{ "to": email }' })
  .task('d', { squad: 'shop', action: 'ship', dependsOn: ['b', 'c'], input: '$steps.b' })
  .build();

type Timing = [start: number, end: number, attempts?: number, status?: StepView['status']];

function execution(
  id: string,
  status: ExecutionStatus,
  endedAt: number | undefined,
  steps: Record<string, Timing>,
  error?: string,
): ExecutionView {
  return {
    executionId: id,
    workflow: 'orders',
    status,
    createdAt: 0,
    updatedAt: endedAt ?? 0,
    ...(endedAt === undefined ? {} : { endedAt }),
    context: {},
    ...(error ? { error: { code: error, message: error } } : {}),
    steps: Object.entries(steps).map(([name, [startedAt, end, attempts = 1, stepStatus = 'completed']]) => ({
      name,
      status: stepStatus,
      startedAt,
      endedAt: end,
      attempts: Array.from({ length: attempts }, (_, i) => ({
        attempt: i + 1,
        startedAt,
        endedAt: end,
        status: i === attempts - 1 && stepStatus === 'completed' ? ('completed' as const) : ('failed' as const),
      })),
    })),
  } as ExecutionView;
}

const sample = [
  // c is slow in each: the critical path is a → c → d.
  execution('e1', 'completed', 1_000, { a: [0, 100], b: [100, 200], c: [100, 800], d: [800, 1_000] }),
  execution('e2', 'completed', 1_200, { a: [0, 100], b: [100, 300, 2], c: [100, 1_000], d: [1_000, 1_200] }),
  execution('e3', 'completed', 1_100, { a: [0, 100], b: [100, 250], c: [100, 900], d: [900, 1_100] }),
  execution('e4', 'failed', 400, { a: [0, 100], b: [100, 400, 3, 'failed'], c: [100, 300] }, 'CARD_DECLINED'),
  execution('e5', 'failed', 500, { a: [0, 100], b: [100, 500, 3, 'failed'], c: [100, 300] }, 'CARD_DECLINED'),
  execution('e6', 'running', undefined, { a: [0, 100] }),
];

describe('workflow insights', () => {
  const insights = computeInsights(definition, sample);

  it('counts outcomes, errors by code and durations of the ended executions', () => {
    expect([insights.sampled, insights.ended, insights.successRate]).toEqual([6, 5, 0.6]);
    expect(insights.byStatus).toEqual({ completed: 3, failed: 2, running: 1 });
    expect(insights.errors).toEqual([{ code: 'CARD_DECLINED', count: 2 }]);
    expect(insights.durations).toEqual({ count: 5, p50Ms: 1_000, p95Ms: 1_200, p99Ms: 1_200 });
  });

  it('finds the critical path from the timings, and each step share of it', () => {
    const deps = new Map([
      ['b', ['a']],
      ['c', ['a']],
      ['d', ['b', 'c']],
    ]);
    expect(criticalPath(sample[0]!, deps)).toEqual([
      { step: 'a', spanMs: 100 },
      { step: 'c', spanMs: 700 },
      { step: 'd', spanMs: 200 },
    ]);
    expect(insights.criticalPath).toEqual(['a', 'c', 'd']);
    const c = insights.steps.find((s) => s.step === 'c')!;
    expect(c.criticalShare).toBe(0.6); // e1-e3 (in e4 and e5, b ended last)
    expect(c.meanShareOfDuration).toBeCloseTo((700 / 1_000 + 900 / 1_200 + 800 / 1_100) / 3);
    expect(c.action).toBe('mail.notify');
  });

  it('finds retry hot spots', () => {
    const b = insights.steps.find((s) => s.step === 'b')!;
    expect([b.retried, b.retrySuccessRate]).toEqual([3, 1 / 3]);
  });

  it('advises: steps that read nothing of a dependency, slow steps, retries that mostly fail', () => {
    expect(insights.advice.map((a) => [a.kind, a.step, 'dependsOn' in a ? a.dependsOn : undefined])).toEqual([
      ['parallelizable', 'c', 'a'],
      ['parallelizable', 'd', 'c'],
      ['failing-retries', 'b', undefined],
      ['slow-step', 'c', undefined],
    ]);
  });

  it('buckets starts and ends over the sampled window', () => {
    expect(insights.throughput).toEqual([{ from: 0, to: 60_000, started: 6, ended: 5 }]);
  });

  it('is empty but well formed without executions', () => {
    const none = computeInsights(definition, []);
    expect([none.sampled, none.durations, none.successRate, none.throughput, none.criticalPath]).toEqual([0, null, null, [], []]);
    expect(none.steps.map((s) => s.step)).toEqual(['a', 'b', 'c', 'd']);
  });
});
