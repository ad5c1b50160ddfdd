/**
 * The history checker itself: fed histories with one defect each, it must
 * name that defect, and a clean run must pass only with enough completions.
 */
import { describe, expect, it } from 'vitest';
import { assertClean, checkHistory, formatReport, type WorkflowShape } from './checker.ts';
import { History, type HistoryEvent } from './history.ts';

const shape: WorkflowShape = { steps: { a: {}, b: { dependsOn: ['a'], delayMs: 100 } } };

/** A clean run of one execution `id`: a at t, b 100 ms later, completed. */
function cleanRun(id: string, t = 1_000): HistoryEvent[] {
  const effect = (step: string, at: number): HistoryEvent => ({
    type: 'effect.applied',
    at,
    executionId: id,
    step,
    attempt: 1,
    key: `${id}.${step}.1`,
    compensation: false,
    pid: 1,
  });
  return [
    { type: 'trigger.accepted', at: t, executionId: id },
    { type: 'execution.started', at: t + 1, executionId: id },
    { type: 'command.published', at: t + 2, executionId: id, step: 'a', attempt: 1, key: `${id}.a.1`, compensation: false },
    effect('a', t + 3),
    { type: 'command.published', at: t + 110, executionId: id, step: 'b', attempt: 1, key: `${id}.b.1`, compensation: false },
    effect('b', t + 111),
    { type: 'execution.ended', at: t + 120, executionId: id, status: 'completed' },
  ];
}

function historyOf(...runs: HistoryEvent[][]): History {
  const h = new History();
  for (const run of runs) h.appendAll(run);
  return h;
}

const options = { shape, commandsObserved: true };

describe('history checker', () => {
  it('passes a clean run and counts it', () => {
    const report = checkHistory(historyOf(cleanRun('e1'), cleanRun('e2')), options);
    expect(report.violations).toEqual([]);
    expect(report.completed).toBe(2);
    expect(() => assertClean('clean', report, 2)).not.toThrow();
    expect(formatReport('clean', report)).toContain('lost 0, stuck 0, duplicateEffect 0');
  });

  it('fails a run with fewer completions than the minimum (an all-error run cannot pass)', () => {
    const run = cleanRun('e1').map((e) => (e.type === 'execution.ended' ? { ...e, status: 'failed' } : e));
    const report = checkHistory(historyOf(run), options);
    expect(report.violations).toEqual([]);
    expect(() => assertClean('failed', report, 1)).toThrow(/only 0 completed/);
  });

  it('reports an accepted trigger that never started as lost, and one that never ended as stuck', () => {
    const lost = cleanRun('lost').filter((e) => e.type === 'trigger.accepted');
    const stuck = cleanRun('stuck').filter((e) => e.type !== 'execution.ended');
    const report = checkHistory(historyOf(lost, stuck, cleanRun('ok')), options);
    expect(report.counts).toMatchObject({ lost: 1, stuck: 1 });
    expect(report.violations.map((v) => [v.kind, v.executionId])).toEqual([
      ['lost', 'lost'],
      ['stuck', 'stuck'],
    ]);
  });

  it('reports two effects for one idempotency key', () => {
    const run = cleanRun('e1');
    const again = { ...(run[3] as Extract<HistoryEvent, { type: 'effect.applied' }>), at: 1_050, pid: 2 };
    const report = checkHistory(historyOf(run, [again]), options);
    expect(report.counts.duplicateEffect).toBe(1);
    expect(report.violations[0]!.detail).toContain('e1.a.1');
  });

  it('reports two keys for one attempt, and an effect without a command', () => {
    const run = cleanRun('e1');
    const stray: HistoryEvent = {
      type: 'effect.applied',
      at: 1_004,
      executionId: 'e1',
      step: 'a',
      attempt: 1,
      key: 'other-key',
      compensation: false,
      pid: 1,
    };
    const report = checkHistory(historyOf(run, [stray]), options);
    expect(report.counts).toMatchObject({ duplicateKey: 1, unexpected: 1 });
    // Without a complete record of commands (a broker fault), an effect without a command is not judged.
    expect(checkHistory(historyOf(run, [stray]), { shape }).counts.unexpected).toBe(0);
  });

  it('reports two terminal events for one execution', () => {
    const run = cleanRun('e1');
    const report = checkHistory(historyOf(run, [{ type: 'execution.ended', at: 2_000, executionId: 'e1', status: 'completed' }]), options);
    expect(report.counts.duplicateTerminal).toBe(1);
  });

  it('reports a delayed step that ran before its delay, and a step that ran before its dependency', () => {
    const early = cleanRun('early').map((e) => (e.type === 'effect.applied' && e.step === 'b' ? { ...e, at: 1_050 } : e));
    const order = cleanRun('order').map((e) => (e.type === 'effect.applied' && e.step === 'b' ? { ...e, at: 999 } : e));
    const report = checkHistory(historyOf(early, order), options);
    expect(report.violations.map((v) => [v.kind, v.executionId])).toEqual([
      ['earlyTimer', 'early'],
      ['order', 'order'],
    ]);
  });
});
