/** The human-task inbox over HTTP, on memory and on NATS: list the open tasks, approve or reject one, and the refusals. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { parseApiTokens } from '../src/http/auth.ts';
import { startStack, type Stack } from './support.ts';

const READER = 'reader-token-0123456789';
const TRIGGER = 'trigger-token-0123456789';

/** A refund approved (or not) by a person: `refund` runs only when the reviewer approved. */
const approval = workflow('refund_approval')
  .task('prepare', { squad: 'alpha', action: 'noop' })
  .human('review', {
    assignee: 'ops',
    title: 'Approve the refund',
    timeout: '72h',
    escalations: [
      { after: '24h', to: 'manager' },
      { after: '48h', to: 'director' },
    ],
    dependsOn: ['prepare'],
  })
  .task('refund', { squad: 'alpha', action: 'noop', dependsOn: ['review'], condition: '$steps.review.approved' })
  .build();

type Task = {
  executionId: string;
  step: string;
  assignee: string;
  escalationLevel: number;
  startedAt: number;
  dueAt: number;
  nextEscalationAt: number;
  signalKey: string;
  title: string;
};

describe.each(['memory', 'nats'] as const)('human tasks over HTTP (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      kind,
      workflows: [approval],
      config: { tokens: parseApiTokens(`ops:${READER}:read,app:${TRIGGER}:trigger+read`) },
    });
  });
  afterAll(() => stack?.close());

  const call = async (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) => {
    const res = await stack.gateway.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return {
      status: res.statusCode,
      body: res.json() as Record<string, unknown> & { error?: { code: string; issues: Array<{ path: string }> } },
    };
  };
  const open = async (id: string): Promise<Task> => {
    await stack.client.waitFor(id, ['waiting'], 20_000);
    const { body } = await call('GET', '/v1/human-tasks?workflow=refund_approval', READER);
    return (body['tasks'] as Task[]).find((t) => t.executionId === id)!;
  };

  it('lists a waiting human task with its assignee, due time and next escalation, filtered by assignee', async () => {
    const id = await stack.client.trigger('refund_approval', { order: 1 });
    const task = await open(id);
    expect(task).toMatchObject({
      step: 'review',
      assignee: 'ops',
      escalationLevel: 0,
      escalationChain: ['ops'],
      title: 'Approve the refund',
      signalKey: `human_${id}_review`,
    });
    expect(task.dueAt - task.startedAt).toBe(72 * 3_600_000);
    expect(task.nextEscalationAt - task.startedAt).toBe(24 * 3_600_000);
    const mine = await call('GET', '/v1/human-tasks?assignee=ops', READER);
    expect((mine.body['tasks'] as Task[]).map((t) => t.executionId)).toContain(id);
    const others = await call('GET', '/v1/human-tasks?assignee=nobody', READER);
    expect(others.body['tasks']).toEqual([]);
  });

  it('approves a task: the step output is the decision with who decided, later steps read it, and a second decision is refused', async () => {
    const id = await stack.client.trigger('refund_approval', { order: 2 });
    await open(id);
    const url = `/v1/human-tasks/${id}/review`;
    const decided = await call('POST', url, TRIGGER, { decision: 'approve', comment: 'ok', data: { amount: 10 } });
    expect(decided.status).toBe(202);
    const done = await stack.client.waitFor(id, undefined, 20_000);
    expect(done.status).toBe('completed');
    const steps = Object.fromEntries(done.steps.map((s) => [s.name, s]));
    expect(steps['review']?.output).toEqual({ approved: true, decision: 'approve', comment: 'ok', data: { amount: 10 }, by: 'app' });
    expect(steps['refund']?.status).toBe('completed');
    const again = await call('POST', url, TRIGGER, { decision: 'reject' });
    expect([again.status, again.body.error?.code]).toEqual([409, 'CONFLICT']);
    expect((await call('GET', '/v1/human-tasks', READER)).body['tasks']).not.toContainEqual(expect.objectContaining({ executionId: id }));
  });

  it('rejects a task: the conditional step is skipped', async () => {
    const id = await stack.client.trigger('refund_approval', { order: 3 });
    await open(id);
    expect((await call('POST', `/v1/human-tasks/${id}/review`, TRIGGER, { decision: 'reject' })).status).toBe(202);
    const done = await stack.client.waitFor(id, undefined, 20_000);
    expect(done.steps.find((s) => s.name === 'refund')?.status).toBe('skipped');
    expect(done.steps.find((s) => s.name === 'review')?.output).toMatchObject({ approved: false, decision: 'reject', by: 'app' });
  });

  it('answers 400 naming the field, 404 for no such task, 403 for a read-only token', async () => {
    const id = await stack.client.trigger('refund_approval', { order: 4 });
    await open(id);
    const bad = await call('POST', `/v1/human-tasks/${id}/review`, TRIGGER, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.issues.map((i) => i.path)).toEqual(['body.decision']);
    const extra = await call('POST', `/v1/human-tasks/${id}/review`, TRIGGER, { decision: 'approve', comment: 5 });
    expect(extra.body.error?.issues.map((i) => i.path)).toEqual(['body.comment']);
    const wrongStep = await call('POST', `/v1/human-tasks/${id}/prepare`, TRIGGER, { decision: 'approve' });
    expect([wrongStep.status, wrongStep.body.error?.code]).toEqual([404, 'EXECUTION_NOT_FOUND']);
    const unknown = await call('POST', `/v1/human-tasks/ex_unknown0000/review`, TRIGGER, { decision: 'approve' });
    expect(unknown.status).toBe(404);
    const reader = await call('POST', `/v1/human-tasks/${id}/review`, READER, { decision: 'approve' });
    expect([reader.status, reader.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect((await stack.client.getExecution(id))?.status).toBe('waiting');
  });
});
