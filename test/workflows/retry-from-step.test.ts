/**
 * Escalation targets and retry from a step (issue 14, part 6), on the
 * in-memory adapters and on real NATS, with actors kept warm and evicted
 * after every event (each event restores the execution from storage).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  controlCodec,
  lifecycleCodec,
  names,
  SquadflowError,
  workflow,
  type ExecutionStatus,
  type LifecycleEvent,
} from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { createHarness, type Harness, type HarnessKind } from '../support/harness.ts';

const modes: Array<[HarnessKind, boolean]> = [
  ['memory', false],
  ['memory', true],
  ['nats', false],
  ['nats', true],
];

describe.each(modes)('escalation targets and retry from a step on %s adapters (evict: %s)', (kind, evict) => {
  let h: Harness;
  const lifecycle: LifecycleEvent[] = [];
  beforeAll(async () => {
    h = await createHarness(kind, { evict });
    const n = names(h.prefix);
    await h.transport.streams.consume(n.streams.lifecycle, { durable: 'test_lc', filterSubject: n.lifecycleAll }, async (msg) => {
      lifecycle.push(lifecycleCodec.decode(msg.data));
      msg.ack();
    });
    await h.client.registerWorkflow(
      workflow('rewindable')
        .task('prepare', { squad: 'alpha', action: 'noop' })
        // Fails attempts 1-3: the first run uses its two attempts and fails; after a rewind, attempt 3 fails and 4 succeeds.
        .task('sync', {
          squad: 'beta',
          action: 'flaky',
          input: '{ "failAttempts": 3 }',
          retry: { retries: 1, initialInterval: '10ms', jitter: 0 },
          dependsOn: ['prepare'],
        })
        .task('report', { squad: 'alpha', action: 'noop', dependsOn: ['sync'] })
        .build(),
    );
    await h.client.registerWorkflow(
      workflow('escalating_sync')
        .task('prepare', { squad: 'alpha', action: 'noop' })
        .task('sync', {
          squad: 'beta',
          action: 'flaky',
          input: '{ "failAttempts": 1 }',
          onError: 'escalate',
          escalationTarget: 'ops-lead',
          dependsOn: ['prepare'],
        })
        .build(),
    );
    await h.client.registerWorkflow(
      workflow('escalating_beside_wait')
        .task('prepare', { squad: 'alpha', action: 'noop' })
        .task('sync', { squad: 'beta', action: 'flaky', input: '{ "failAttempts": 1 }', onError: 'escalate', dependsOn: ['prepare'] })
        .wait('hold', { signal: 'hold_{$execution.id}', timeout: '1h', dependsOn: ['prepare'] })
        .build(),
    );
  });
  afterAll(() => h?.close());

  const eventsOf = (id: string) => lifecycle.filter((e) => e.executionId === id);
  const invoked = (id: string, step: string) => h.invocations.filter((i) => i.executionId === id && i.step === step).map((i) => i.attempt);
  const attempts = (view: { steps: Array<{ name: string; attempts: Array<{ attempt: number; status: string }> }> }, step: string) =>
    view.steps.find((s) => s.name === step)!.attempts.map((a) => [a.attempt, a.status]);
  /** Waits until the execution lists `n` rewinds, then until it settles. */
  const afterRewind = async (id: string, n: number, statuses: ExecutionStatus[]) => {
    await until(
      'rewind applied',
      () => h.client.getExecution(id),
      (v) => (v?.rewinds?.length ?? 0) >= n,
      10_000,
    );
    return h.client.waitFor(id, statuses);
  };

  it('an escalated step names its target: in the step record, the escalation view and the execution.escalated event', async () => {
    const id = await h.client.trigger('escalating_sync', {});
    const view = await h.client.waitFor(id, ['escalated']);
    expect(view.steps.find((s) => s.name === 'sync')).toMatchObject({ status: 'escalated', escalationTarget: 'ops-lead' });
    expect((await h.client.describeExecution(id))!.escalation).toMatchObject({ step: 'sync', target: 'ops-lead' });
    const escalated = await until('execution.escalated', async () => eventsOf(id).find((e) => e.type === 'execution.escalated'), Boolean);
    expect(escalated).toMatchObject({ step: 'sync', data: { target: 'ops-lead', message: 'flaky failure on attempt 1' } });

    // Retry from the last good step: prepare and sync run again (attempt 2 each), and sync now succeeds.
    await h.client.retryFromStep(id, 'prepare');
    const done = await afterRewind(id, 1, ['completed']);
    expect(done.status).toBe('completed');
    expect(attempts(done, 'sync')).toEqual([
      [1, 'failed'],
      [2, 'completed'],
    ]);
    expect(done.rewinds).toMatchObject([{ fromStep: 'prepare', steps: ['prepare', 'sync'], previousStatus: 'escalated' }]);
  });

  it('retry from a step re-runs it and its dependants with new attempt numbers, keeps the old attempts, and completes', async () => {
    const id = await h.client.trigger('rewindable', {});
    const failed = await h.client.waitFor(id);
    expect(failed.status).toBe('failed');
    expect(attempts(failed, 'sync')).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    const report = failed.steps.find((s) => s.name === 'report')!.status;
    expect(['blocked', 'halted']).toContain(report);

    const accepted = await h.client.retryFromStep(id, 'prepare');
    expect(accepted.steps).toEqual(['prepare', 'sync', 'report']);
    const done = await afterRewind(id, 1, ['completed']);
    expect(done.status).toBe('completed');
    // Attempt numbers continue; the retry budget starts again after the rewind (attempt 3 failed, 4 retried and won).
    expect(attempts(done, 'prepare')).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    expect(attempts(done, 'sync')).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'completed'],
    ]);
    expect(attempts(done, 'report')).toEqual([[1, 'completed']]);
    expect(invoked(id, 'prepare')).toEqual([1, 2]);
    expect(invoked(id, 'sync')).toEqual([1, 2, 3, 4]);
    expect(done.rewinds).toEqual([
      {
        id: accepted.controlId,
        at: expect.any(Number),
        fromStep: 'prepare',
        steps: ['prepare', 'sync', 'report'],
        previousStatus: 'failed',
      },
    ]);
    expect(done.error).toBeUndefined();

    // The history records the rewind between the failure and the completion, each event with its own id.
    const types = await until(
      'execution.completed',
      async () => eventsOf(id).map((e) => e.type),
      (t) => t.includes('execution.completed'),
    );
    const at = (type: string) => types.indexOf(type as LifecycleEvent['type']);
    expect(at('execution.failed')).toBeLessThan(at('execution.rewound'));
    expect(at('execution.rewound')).toBeLessThan(at('execution.completed'));
    expect(eventsOf(id).find((e) => e.type === 'execution.rewound')?.data).toEqual({
      fromStep: 'prepare',
      steps: ['prepare', 'sync', 'report'],
      rewind: 1,
      previousStatus: 'failed',
    });
    const ids = eventsOf(id).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    // Listing and counts: one execution, counted once, as completed (its earlier end no longer counts).
    expect((await h.client.listExecutions({ workflow: 'rewindable', status: ['failed'] })).map((v) => v.executionId)).not.toContain(id);
    expect((await h.client.listExecutions({ workflow: 'rewindable', status: ['completed'] })).map((v) => v.executionId)).toContain(id);
    const counted = (c: Awaited<ReturnType<typeof h.client.executionCounts>>) =>
      c.ended.filter((e) => e.workflow === 'rewindable' && e.count > 0);
    const ended = await until(
      'ended counts',
      () => h.client.executionCounts(),
      (c) => counted(c).length === 1 && counted(c)[0]!.status === 'completed',
    );
    expect(counted(ended)).toEqual([{ workflow: 'rewindable', status: 'completed', count: 1 }]);
  });

  it('rewinds an escalated execution whose other branch waits: the wait is armed again under its key, and a signal completes it', async () => {
    const id = await h.client.trigger('escalating_beside_wait', {});
    await h.client.waitFor(id, ['escalated']);
    await until(
      'hold waiting',
      () => h.client.getExecution(id),
      (v) => v?.steps.find((s) => s.name === 'hold')?.status === 'waiting',
    );
    const accepted = await h.client.retryFromStep(id, 'prepare');
    expect(accepted.steps).toEqual(['prepare', 'sync', 'hold']);
    await until(
      'rewound and waiting again',
      () => h.client.getExecution(id),
      (v) => v?.rewinds?.length === 1 && v.status === 'waiting',
    );
    const detail = (await h.client.describeExecution(id))!;
    expect(detail.waits).toEqual([{ key: `hold_${id}`, step: 'hold', purpose: 'wait', deadline: expect.any(Number) }]);
    expect(detail.steps.find((s) => s.name === 'hold')!.timers).toEqual([{ kind: 'wait', attempt: 0, dueAt: expect.any(Number) }]);
    await h.client.signal(`hold_${id}`, { ok: true });
    const done = await h.client.waitFor(id, ['completed']);
    expect(done.steps.find((s) => s.name === 'hold')).toMatchObject({ status: 'completed', outcome: 'signal', output: { ok: true } });
    expect(attempts(done, 'sync')).toEqual([
      [1, 'failed'],
      [2, 'completed'],
    ]);
  });

  it('refuses bad requests with the field or the conflict named, and changes nothing', async () => {
    const id = await h.client.trigger('rewindable', {});
    const failed = await h.client.waitFor(id);
    const refused = async (executionId: string, fromStep: string) =>
      h.client.retryFromStep(executionId, fromStep).then(
        () => undefined,
        (err: unknown) => err as SquadflowError,
      );
    expect(await refused(id, 'nope')).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'fromStep' }] });
    expect((await refused(id, 'nope'))!.issues[0]!.message).toContain('has no step "nope"');
    // Only a completed step can be the target.
    expect(await refused(id, 'sync')).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'fromStep' }] });
    expect(await refused(id, 'bad name!')).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'fromStep' }] });
    expect(await refused('ex_missing', 'prepare')).toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
    expect(await refused('not an id', 'prepare')).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'executionId' }] });
    expect(await h.client.getExecution(id)).toEqual(failed);

    // A completed execution is not failed or escalated: a conflict.
    const ok = await h.client.trigger('escalating_sync', {});
    await h.client.waitFor(ok, ['escalated']);
    await h.client.resolveEscalation(ok, 'retry');
    const completed = await h.client.waitFor(ok, ['completed']);
    expect(await refused(ok, 'prepare')).toMatchObject({ code: 'CONFLICT' });
    expect(await h.client.getExecution(ok)).toEqual(completed);
  });

  it('a rewind control delivered twice rewinds once; one for a step that did not complete is refused by the orchestrator too', async () => {
    const id = await h.client.trigger('rewindable', {});
    await h.client.waitFor(id);
    const n = names(h.prefix);
    const publish = (controlId: string, fromStep: string, msgId: string) =>
      h.transport.streams.publish(
        n.control(id),
        controlCodec.encode({ kind: 'control', controlId, executionId: id, action: 'rewind', fromStep }),
        { msgId },
      );
    // Published by someone else, unchecked by a client: the orchestrator refuses a step that did not complete.
    await publish(`bad-${id}`, 'sync', `bad.${id}`);
    // Two copies of one control with different message ids (past the dedup window, as after a server crash).
    await publish(`twice-${id}`, 'prepare', `a.${id}`);
    await publish(`twice-${id}`, 'prepare', `b.${id}`);
    const done = await afterRewind(id, 1, ['completed']);
    await h.orchestrator.idle();
    expect((await h.client.getExecution(id))!.rewinds).toMatchObject([{ id: `twice-${id}`, fromStep: 'prepare' }]);
    expect(done.rewinds).toHaveLength(1);
    expect(invoked(id, 'prepare')).toEqual([1, 2]);
  });
});
