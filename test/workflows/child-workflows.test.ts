/**
 * Child workflows, waits on other executions, and executions created without
 * starting (docs/child-workflows.md), on the in-memory adapters and on real
 * NATS, each with actors kept warm and with every actor evicted and restored
 * from storage after every event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names, triggerCodec, workflow } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { createHarness, type Harness, type HarnessKind } from '../support/harness.ts';

const modes: Array<[HarnessKind, boolean]> = [
  ['memory', false],
  ['memory', true],
  ['nats', false],
  ['nats', true],
];

describe.each(modes)('child workflows on %s adapters (evict actors after every event: %s)', (kind, evict) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { evict });
    const compensated = { squad: 'alpha', action: 'noop', compensate: { action: 'compensate' } } as const;
    await h.client.registerWorkflow(
      workflow('kid_ok')
        .task('x', { ...compensated, input: '{ "n": $context.n }' })
        .task('y', { ...compensated, dependsOn: ['x'] })
        .build(),
    );
    await h.client.registerWorkflow(
      workflow('kid_bad')
        .task('w', compensated)
        .task('z', { squad: 'beta', action: 'fail', dependsOn: ['w'], onError: 'compensate' })
        .build(),
    );
    await h.client.registerWorkflow(workflow('kid_waits').wait('hold', { signal: 'never_{$execution.id}' }).build());
  });
  afterAll(() => h?.close());

  const forExecution = (id: string) => h.invocations.filter((i) => i.executionId === id);
  const childOf = async (parent: string, step: string): Promise<string> => {
    const view = await until(
      `the child of ${step}`,
      () => h.client.getExecution(parent),
      (v) => v?.steps.find((s) => s.name === step)?.child !== undefined,
    );
    return view!.steps.find((s) => s.name === step)!.child!;
  };

  it('runs a child workflow and hands its output to the next step; parent and child link to each other', async () => {
    await h.client.registerWorkflow(
      workflow('parent_ok')
        .childWorkflow('kid', { workflow: 'kid_ok', input: '{ "n": $context.n * 2 }' })
        .task('after', { squad: 'beta', action: 'noop', input: '$steps.kid.x.echo', dependsOn: ['kid'] })
        .build(),
    );
    const id = await h.client.trigger('parent_ok', { n: 21 });
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('completed');
    const kid = view.steps.find((s) => s.name === 'kid')!;
    expect(kid.output).toMatchObject({ x: { ok: true, step: 'x', echo: { n: 42 } }, y: { ok: true, step: 'y' } });
    expect(view.steps.find((s) => s.name === 'after')!.input).toEqual({ n: 42 });
    const child = await h.client.getExecution(kid.child!);
    expect(child).toMatchObject({ status: 'completed', workflow: 'kid_ok', context: { n: 42 }, parent: { executionId: id, step: 'kid' } });
    expect(view.children).toEqual([{ executionId: kid.child, step: 'kid', attempt: 1 }]);
  });

  it('compensates in reverse completion order across a failed child, a completed child and its own steps', async () => {
    await h.client.registerWorkflow(
      workflow('parent_saga')
        .task('a', { squad: 'alpha', action: 'noop', compensate: { action: 'compensate' } })
        .childWorkflow('k1', { workflow: 'kid_ok', input: '{ "n": 1 }', dependsOn: ['a'] })
        .childWorkflow('k2', { workflow: 'kid_bad', dependsOn: ['k1'], onError: 'compensate' })
        .build(),
    );
    const id = await h.client.trigger('parent_saga', {});
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('compensated');
    const k1 = view.steps.find((s) => s.name === 'k1')!.child!;
    const k2 = view.steps.find((s) => s.name === 'k2')!.child!;
    const order = h.invocations
      .filter((i) => i.compensation && [id, k1, k2].includes(i.executionId))
      .map((i) => `${i.executionId === id ? 'parent' : i.executionId === k1 ? 'k1' : 'k2'}.${i.step}`);
    // k2 compensates itself as it fails; then the parent's saga: k1 (its own saga, y before x), then a.
    expect(order).toEqual(['k2.w', 'k1.y', 'k1.x', 'parent.a']);
    expect((await h.client.getExecution(k1))!.status).toBe('compensated');
    expect((await h.client.getExecution(k2))!.status).toBe('compensated');
    expect(view.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'compensated'],
      ['k1', 'compensated'],
      ['k2', 'failed'],
    ]);
    expect(view.steps.find((s) => s.name === 'k2')!.error).toMatchObject({ code: 'CHILD_FAILED' });
  });

  it('cancelling a parent cancels its running child', async () => {
    await h.client.registerWorkflow(workflow('parent_long').childWorkflow('kid', { workflow: 'kid_waits' }).build());
    const id = await h.client.trigger('parent_long', {});
    const child = await childOf(id, 'kid');
    await h.client.waitFor(child, ['waiting']);
    await h.client.cancel(id, 'no longer needed');
    expect((await h.client.waitFor(id)).status).toBe('cancelled');
    const ended = await h.client.waitFor(child);
    expect(ended.status).toBe('cancelled');
    expect(ended.cancelReason).toContain(id);
  });

  it('a child that times out is cancelled and a retry starts a new one', async () => {
    await h.client.registerWorkflow(
      workflow('parent_retry')
        .childWorkflow('kid', { workflow: 'kid_waits', timeout: '300ms', retry: { retries: 1, initialInterval: '10ms' } })
        .build(),
    );
    const id = await h.client.trigger('parent_retry', {});
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('failed');
    expect(view.steps[0]!.attempts.map((a) => a.error?.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(view.children!.map((c) => c.attempt)).toEqual([1, 2]);
    for (const c of view.children!) expect((await h.client.waitFor(c.executionId)).status).toBe('cancelled');
  });

  it('a child that cannot start (unknown workflow) fails its step instead of leaving it waiting', async () => {
    await h.client.registerWorkflow(workflow('parent_orphan').childWorkflow('kid', { workflow: 'no_such_workflow' }).build());
    const view = await h.client.waitFor(await h.client.trigger('parent_orphan', {}));
    expect(view.status).toBe('failed');
    expect(view.steps[0]!.error).toMatchObject({ code: 'CHILD_FAILED' });
    expect(view.steps[0]!.error!.message).toContain('no_such_workflow');
  });

  it('a redelivered child start creates one child', async () => {
    await h.client.registerWorkflow(workflow('parent_once').childWorkflow('kid', { workflow: 'kid_ok', input: '{ "n": 5 }' }).build());
    const id = await h.client.trigger('parent_once', {});
    const child = await childOf(id, 'kid');
    // The same start again, as a crash before the ack would redeliver it (another message id: past the dedup window).
    const startAgain = (msgId: string) =>
      h.transport.streams.publish(
        names(h.prefix).trigger('kid_ok'),
        triggerCodec.encode({
          kind: 'trigger',
          workflow: 'kid_ok',
          executionId: child,
          context: { n: 5 },
          parent: { executionId: id, step: 'kid', attempt: 1 },
        }),
        { msgId },
      );
    await startAgain(`redelivered.${child}`);
    expect((await h.client.waitFor(id)).status).toBe('completed');
    // A third start after the child ended: still the one child, still one run of each of its steps.
    await startAgain(`redelivered-late.${child}`);
    await h.client.waitFor(await h.client.trigger('kid_ok', { n: 0 })); // a later trigger through the same stream
    expect(forExecution(child).map((i) => i.step)).toEqual(['x', 'y']);
    expect((await h.client.getExecution(id))!.steps[0]!.attempts).toHaveLength(1);
  });

  it('waits for another execution: completed goes on, another end takes the skipped branch, a pending one is waited for', async () => {
    await h.client.registerWorkflow(
      workflow('watcher')
        .wait('other', { execution: '$context.target', onError: 'skip' })
        .task('went_well', { squad: 'alpha', action: 'noop', input: '$steps.other', dependsOn: [{ step: 'other', on: 'completed' }] })
        .task('went_badly', { squad: 'beta', action: 'noop', input: '$steps.other', dependsOn: [{ step: 'other', on: 'skipped' }] })
        .build(),
    );
    // Ends after the wait began.
    const running = await h.client.trigger('kid_waits', {});
    await h.client.waitFor(running, ['waiting']);
    const w1 = await h.client.trigger('watcher', { target: running });
    await h.client.waitFor(w1, ['waiting']);
    await h.client.signal(`never_${running}`, { fine: true });
    const v1 = await h.client.waitFor(w1);
    expect(v1.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'skipped']);
    expect(v1.steps[1]!.input).toMatchObject({ executionId: running, status: 'completed', output: { hold: { fine: true } } });

    // Ended (failed) before the wait began.
    const failed = await h.client.trigger('kid_bad', {});
    expect((await h.client.waitFor(failed)).status).toBe('compensated');
    const v2 = await h.client.waitFor(await h.client.trigger('watcher', { target: failed }));
    expect(v2.steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'completed']);
    expect(v2.steps[0]!.error).toMatchObject({ code: 'EXECUTION_NOT_COMPLETED' });
    expect(v2.steps[2]!.input).toMatchObject({ executionId: failed, status: 'compensated' });

    // Created, not started: the wait holds until it starts and ends.
    const held = await h.client.trigger('kid_ok', { n: 3 }, { start: false });
    const w3 = await h.client.trigger('watcher', { target: held });
    await h.client.waitFor(w3, ['waiting']);
    await h.client.start(held);
    const v3 = await h.client.waitFor(w3);
    expect(v3.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'skipped']);

    // Unknown.
    const v4 = await h.client.waitFor(await h.client.trigger('watcher', { target: 'ex_nobody' }));
    expect(v4.steps[0]!.output).toMatchObject({ status: 'missing' });
  });

  it('creates an execution without starting it, starts it once, and cancels one that never started', async () => {
    const held = await h.client.trigger('kid_ok', { n: 9 }, { start: false });
    // A later execution through the same stream completes: the held one's trigger has been through too.
    await h.client.waitFor(await h.client.trigger('kid_ok', { n: 0 }));
    const pending = await h.client.getExecution(held);
    expect(pending).toMatchObject({ status: 'pending', held: true, steps: [] });
    expect(forExecution(held)).toHaveLength(0);
    await h.client.start(held);
    await h.client.start(held);
    expect((await h.client.waitFor(held)).status).toBe('completed');
    await h.client.start(held); // started already: nothing happens
    expect(forExecution(held).map((i) => i.step)).toEqual(['x', 'y']);

    const dropped = await h.client.trigger('kid_ok', { n: 1 }, { start: false });
    await h.client.cancel(dropped, 'not needed');
    expect((await h.client.waitFor(dropped)).status).toBe('cancelled');
    await expect(h.client.start(dropped)).rejects.toMatchObject({ code: 'EXECUTION_ENDED' });
    expect(forExecution(dropped)).toHaveLength(0);
  });
});
