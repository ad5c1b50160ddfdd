import { describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { compileWorkflow } from '../src/compile/index.ts';
import { machineEvent } from '../src/compile/events.ts';
import { toView } from '../src/client/execution-view.ts';
import { computeMetrics } from '../src/client/metrics.ts';
import type { ExecutionRecord } from '../src/store/execution-record.ts';

const def = workflow('read')
  .task('a', { squad: 's', action: 'x' })
  .human('review', { assignee: 'ana', dependsOn: ['a'] })
  .build();

function storedRecord(snapshot: unknown): ExecutionRecord {
  return { v: 1, executionId: 'ex_1', workflow: 'read', version: 1, status: 'waiting', createdAt: 0, updatedAt: 5, context: {}, snapshot };
}

describe('read model', () => {
  it('decodes the stored snapshot: each step view is its record minus the attempt counter', async () => {
    const wf = compileWorkflow(def, 1);
    let s = wf.runner.initial({ executionId: 'ex_1', workflow: 'read', version: 1, input: { id: 1 }, at: 0 });
    s = wf.runner.transition(s, machineEvent.reply('a', false, { attempt: 1, ok: true, output: { v: 1 } }));
    s = wf.runner.transition(s, await wf.evaluate(s.context, 'review', 'step'));
    const view = toView(storedRecord(JSON.parse(JSON.stringify(wf.runner.persist(s)))));
    const { attempt: _attempt, ...a } = s.context.steps['a']!;
    expect(view.steps[0]).toEqual({ name: 'a', ...a });
    expect(view.steps[1]).toMatchObject({
      name: 'review',
      status: 'waiting',
      assignee: 'ana',
      escalationLevel: 0,
      key: 'human_ex_1_review',
    });
    const byStatus = { pending: 0, running: 0, paused: 0, waiting: 1, completed: 0, failed: 0, compensated: 0, escalated: 0, cancelled: 0 };
    const metrics = computeMetrics(byStatus, [toView(storedRecord(wf.runner.persist(s)))]);
    expect(metrics.steps).toMatchObject([{ workflow: 'read', step: 'a', count: 1 }]);
    expect(metrics).toMatchObject({ total: 1, active: 1, successRate: null });
  });

  it('refuses a stored snapshot that does not decode, naming the execution', () => {
    expect(() => toView(storedRecord({ context: { steps: { a: { status: 'lost' } } } }))).toThrow(
      /execution ex_1: stored snapshot does not decode/,
    );
    expect(() => toView(storedRecord({ context: { steps: { a: { status: 'lost' } } } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_SNAPSHOT', message: expect.stringContaining('snapshot.context') }),
    );
  });
});
