/**
 * Workflow behaviour, run four times: on the in-memory adapters and on real
 * NATS, each with actors kept warm and with every actor evicted and restored
 * from storage (through a JSON round trip) after every event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names, SquadflowError, stepReplyCodec, triggerCodec, workflow } from '@squadflow/shared';
import { createHarness, type Harness, type HarnessKind } from '../support/harness.ts';
import { until } from '@squadflow/transport/testing';

const modes: Array<[HarnessKind, boolean]> = [
  ['memory', false],
  ['memory', true],
  ['nats', false],
  ['nats', true],
];

describe.each(modes)('workflows on %s adapters (evict actors after every event: %s)', (kind, evict) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { evict });
  });
  afterAll(() => h?.close());

  const forExecution = (id: string) => h.invocations.filter((i) => i.executionId === id);

  it('runs a fan-out/fan-in DAG: independent steps run in parallel and the join waits for both', async () => {
    await h.client.registerWorkflow(
      workflow('fan')
        .task('start', { squad: 'alpha', action: 'noop' })
        .task('left', { squad: 'beta', action: 'sleep', input: '{ "ms": 50 }', dependsOn: ['start'] })
        .task('right', { squad: 'alpha', action: 'sleep', input: '{ "ms": 50 }', dependsOn: ['start'] })
        .task('join', {
          squad: 'beta',
          action: 'noop',
          input: '{ "l": $steps.left.slept, "r": $steps.right.slept }',
          dependsOn: ['left', 'right'],
        })
        .task('end', { squad: 'alpha', action: 'noop', dependsOn: ['join'] })
        .build(),
    );
    const id = await h.client.trigger('fan', { order: 7 });
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('completed');
    const step = (name: string) => view.steps.find((s) => s.name === name)!;
    expect(step('join').input).toEqual({ l: 50, r: 50 });
    // left and right overlapped: each started before the other ended
    expect(step('left').startedAt!).toBeLessThan(step('right').endedAt!);
    expect(step('right').startedAt!).toBeLessThan(step('left').endedAt!);
    expect(step('join').startedAt!).toBeGreaterThanOrEqual(Math.max(step('left').endedAt!, step('right').endedAt!));
    expect(forExecution(id)).toHaveLength(5);
    expect((view.output as Record<string, unknown>)['end']).toMatchObject({ ok: true, step: 'end' });
  });

  it('retries a failing step with backoff and records every attempt', async () => {
    await h.client.registerWorkflow(
      workflow('retrying')
        .task('shaky', {
          squad: 'alpha',
          action: 'flaky',
          input: '{ "failAttempts": 2 }',
          retry: { retries: 3, initialInterval: '20ms', jitter: 0 },
        })
        .build(),
    );
    const id = await h.client.trigger('retrying', {});
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('completed');
    const shaky = view.steps[0]!;
    expect(shaky.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'completed']);
    expect(shaky.output).toEqual({ attempt: 3 });
    // exponential backoff: the second pause (40 ms) follows the first (20 ms)
    const gap1 = shaky.attempts[1]!.startedAt - shaky.attempts[0]!.endedAt!;
    const gap2 = shaky.attempts[2]!.startedAt - shaky.attempts[1]!.endedAt!;
    expect(gap1).toBeGreaterThanOrEqual(20);
    expect(gap2).toBeGreaterThanOrEqual(40);
  });

  it('fails the execution when retries run out, and a non-retryable error skips the remaining retries', async () => {
    await h.client.registerWorkflow(
      workflow('failing')
        .task('doomed', { squad: 'alpha', action: 'fail', retry: { retries: 5, initialInterval: '10ms' } })
        .task('never', { squad: 'beta', action: 'noop', dependsOn: ['doomed'] })
        .build(),
    );
    const id = await h.client.trigger('failing', {});
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('failed');
    expect(view.steps[0]!.attempts).toHaveLength(1);
    expect(view.steps[1]!.status).toBe('halted');
    expect(view.error?.message).toContain('doomed');
    expect(forExecution(id).map((i) => i.step)).toEqual(['doomed']);
  });

  it('skips a step whose condition is false and still runs its dependants', async () => {
    await h.client.registerWorkflow(
      workflow('conditional')
        .task('check', { squad: 'alpha', action: 'noop' })
        .task('pause_ads', { squad: 'beta', action: 'noop', condition: 'stock_level < min_threshold', dependsOn: ['check'] })
        .task('notify', { squad: 'alpha', action: 'noop', dependsOn: ['pause_ads'] })
        .build(),
    );
    const low = await h.client.waitFor(await h.client.trigger('conditional', { stock_level: 3, min_threshold: 10 }));
    const high = await h.client.waitFor(await h.client.trigger('conditional', { stock_level: 30, min_threshold: 10 }));
    expect(low.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(high.steps.map((s) => s.status)).toEqual(['completed', 'skipped', 'completed']);
    expect(high.steps[1]!.reason).toContain('condition is false');
  });

  it('waits a durable delay before a step', async () => {
    await h.client.registerWorkflow(
      workflow('delayed')
        .task('first', { squad: 'alpha', action: 'noop' })
        .task('later', { squad: 'beta', action: 'noop', delay: '300ms', dependsOn: ['first'] })
        .build(),
    );
    const view = await h.client.waitFor(await h.client.trigger('delayed', {}));
    const [first, later] = view.steps;
    expect(view.status).toBe('completed');
    expect(later!.attempts[0]!.startedAt - first!.endedAt!).toBeGreaterThanOrEqual(300);
  });

  it('times out a slow attempt and retries it', async () => {
    await h.client.registerWorkflow(
      workflow('slow')
        .task('crawl', {
          squad: 'alpha',
          action: 'sleep',
          input: '{ "ms": 400 }',
          timeout: '100ms',
          retry: { retries: 1, initialInterval: '10ms' },
        })
        .build(),
    );
    const view = await h.client.waitFor(await h.client.trigger('slow', {}));
    expect(view.status).toBe('failed');
    // Either the orchestrator's timeout timer or the squad's own deadline ends each attempt first.
    expect(view.steps[0]!.attempts).toHaveLength(2);
    expect(view.steps[0]!.attempts.map((a) => a.error?.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(view.steps[0]!.error?.code).toBe('TIMEOUT');
  });

  it('runs compensations of completed steps in reverse completion order when a step fails (saga)', async () => {
    await h.client.registerWorkflow(
      workflow('saga')
        .task('reserve', { squad: 'alpha', action: 'noop', compensate: { action: 'compensate' } })
        .task('charge', { squad: 'beta', action: 'noop', dependsOn: ['reserve'], compensate: { action: 'compensate' } })
        .task('ship', {
          squad: 'alpha',
          action: 'fail',
          dependsOn: ['charge'],
          onError: 'compensate',
          compensate: { action: 'compensate' },
        })
        .task('notify', { squad: 'beta', action: 'noop', dependsOn: ['ship'] })
        .build(),
    );
    const id = await h.client.trigger('saga', {});
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('compensated');
    const compensations = forExecution(id).filter((i) => i.compensation);
    expect(compensations.map((i) => i.step)).toEqual(['charge', 'reserve']);
    expect(compensations[0]!.input).toMatchObject({ output: { ok: true, step: 'charge' } });
    expect(view.steps.map((s) => s.status)).toEqual(['compensated', 'compensated', 'failed', 'halted']);
  });

  it('resumes a wait step on its signal and takes the timeout branch when no signal comes', async () => {
    await h.client.registerWorkflow(
      workflow('conversation')
        .task('greet', { squad: 'alpha', action: 'noop' })
        .wait('await_reply', { signal: 'ai_conversation_{phone}', timeout: '400ms', dependsOn: ['greet'] })
        .task('answer', { squad: 'beta', action: 'noop', input: '$steps.await_reply', dependsOn: [{ step: 'await_reply', on: 'signal' }] })
        .task('remind', { squad: 'alpha', action: 'noop', dependsOn: [{ step: 'await_reply', on: 'timeout' }] })
        .build(),
    );
    const replied = await h.client.trigger('conversation', { phone: '+55 11 99999-0001' });
    await h.client.waitFor(replied, ['waiting']);
    await h.client.signal('ai_conversation_+55 11 99999-0001', { text: 'oi' });
    const a = await h.client.waitFor(replied);
    expect(a.status).toBe('completed');
    expect(a.steps.map((s) => [s.name, s.status])).toEqual([
      ['greet', 'completed'],
      ['await_reply', 'completed'],
      ['answer', 'completed'],
      ['remind', 'skipped'],
    ]);
    expect(a.steps[1]!.outcome).toBe('signal');
    expect(a.steps[2]!.input).toEqual({ text: 'oi' });

    const silent = await h.client.trigger('conversation', { phone: '+55 11 99999-0002' });
    const b = await h.client.waitFor(silent);
    expect(b.steps.map((s) => [s.name, s.status])).toEqual([
      ['greet', 'completed'],
      ['await_reply', 'completed'],
      ['answer', 'skipped'],
      ['remind', 'completed'],
    ]);
    expect(b.steps[1]!.outcome).toBe('timeout');
  });

  it('parks an escalated execution until a signal says retry, skip or abort', async () => {
    await h.client.registerWorkflow(
      workflow('escalating')
        .task('risky', { squad: 'alpha', action: 'flaky', input: '{ "failAttempts": 1 }', onError: 'escalate' })
        .task('after', { squad: 'beta', action: 'noop', dependsOn: ['risky'] })
        .build(),
    );
    const retried = await h.client.trigger('escalating', {});
    await h.client.waitFor(retried, ['escalated']);
    await h.client.signal(`escalation_${retried}`, { action: 'retry' });
    const r = await h.client.waitFor(retried);
    expect(r.status).toBe('completed');
    expect(r.steps[0]!.attempts.map((a) => a.status)).toEqual(['failed', 'completed']);

    const skipped = await h.client.trigger('escalating', {});
    await h.client.waitFor(skipped, ['escalated']);
    await h.client.resolveEscalation(skipped, 'skip');
    const s = await h.client.waitFor(skipped);
    expect(s.status).toBe('completed');
    expect(s.steps.map((x) => x.status)).toEqual(['skipped', 'completed']);

    const aborted = await h.client.trigger('escalating', {});
    await h.client.waitFor(aborted, ['escalated']);
    await h.client.resolveEscalation(aborted, 'abort');
    expect((await h.client.waitFor(aborted)).status).toBe('failed');
  });

  it('ignores duplicate replies, late replies and replies to an old attempt', async () => {
    await h.client.registerWorkflow(
      workflow('replies')
        .task('work', { squad: 'alpha', action: 'flaky', input: '{ "failAttempts": 1 }', retry: { retries: 2, initialInterval: '10ms' } })
        .wait('hold', { signal: 'hold_{$execution.id}', dependsOn: ['work'] })
        .build(),
    );
    const id = await h.client.trigger('replies', {});
    const before = await h.client.waitFor(id, ['waiting']);
    const n = names(h.prefix);
    const reply = (attempt: number, ok: boolean, output?: unknown) =>
      h.transport.streams.publish(
        n.reply(id),
        stepReplyCodec.encode({
          kind: 'reply',
          commandId: `${id}.work.${attempt}`,
          executionId: id,
          step: 'work',
          attempt,
          compensation: false,
          ok,
          ...(ok ? { output } : { error: { message: 'late failure', retryable: true } }),
        }),
      );
    await reply(2, true, { attempt: 'duplicate with another output' }); // duplicate of the accepted reply
    await reply(2, false); // late contradicting reply
    await reply(1, true, { attempt: 'old' }); // reply to the failed first attempt
    await reply(7, true, { attempt: 'future' }); // an attempt that never ran
    // Events of one execution are applied in order: once the signal is through, so are the replies.
    await h.client.signal(`hold_${id}`, { go: true });
    const after = await h.client.waitFor(id);
    expect(after.status).toBe('completed');
    const work = (v: typeof after) => v.steps.find((s) => s.name === 'work')!;
    expect(work(after).output).toEqual({ attempt: 2 });
    expect(work(after).attempts).toEqual(work(before).attempts);
    expect(forExecution(id).filter((i) => i.step === 'work')).toHaveLength(2);
  });

  it('pauses an execution: in-flight steps finish, nothing new starts, due timers wait; resume goes on', async () => {
    await h.client.registerWorkflow(
      workflow('pausable')
        .task('slow', { squad: 'alpha', action: 'sleep', input: '{ "ms": 300 }' })
        .task('after_slow', { squad: 'beta', action: 'noop', dependsOn: ['slow'] })
        .task('timed', { squad: 'beta', action: 'noop', delay: '200ms' })
        .build(),
    );
    const id = await h.client.trigger('pausable', {});
    await until(
      'the slow step to start',
      async () => forExecution(id),
      (runs) => runs.some((r) => r.step === 'slow'),
    );
    await h.client.pause(id, 'supplier outage');
    expect((await h.client.waitFor(id, ['paused'])).status).toBe('paused');
    // Both the delay (200 ms) and the slow step (300 ms) fall due while paused.
    await until(
      'the in-flight step to finish',
      () => h.client.getExecution(id),
      (v) => v!.steps.find((s) => s.name === 'slow')!.status === 'completed',
    );
    await new Promise((resolve) => setTimeout(resolve, 400)); // a bounded wait, only to show that nothing else starts
    expect(forExecution(id).map((r) => r.step)).toEqual(['slow']);
    expect((await h.client.getExecution(id))!.status).toBe('paused');
    const resumedAt = Date.now();
    await h.client.resume(id);
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('completed');
    expect(
      forExecution(id)
        .map((r) => r.step)
        .sort(),
    ).toEqual(['after_slow', 'slow', 'timed']);
    for (const step of ['after_slow', 'timed'])
      expect(view.steps.find((s) => s.name === step)!.attempts[0]!.startedAt).toBeGreaterThanOrEqual(resumedAt - 5);
  });

  it('cancels a running execution and releases its timers', async () => {
    await h.client.registerWorkflow(workflow('long').task('nap', { squad: 'alpha', action: 'noop', delay: '1h' }).build());
    const id = await h.client.trigger('long', {});
    await h.client.waitFor(id, ['running']);
    await h.client.cancel(id, 'customer bought already');
    const view = await h.client.waitFor(id);
    expect(view.status).toBe('cancelled');
    expect(view.cancelReason).toBe('customer bought already');
    expect(forExecution(id)).toHaveLength(0);
    await expect(h.client.cancel(id)).rejects.toMatchObject({ code: 'EXECUTION_ENDED' });
  });

  it('returns the same execution for the same idempotency key', async () => {
    const a = await h.client.trigger('fan', { n: 1 }, { idempotencyKey: 'order-42' });
    const b = await h.client.trigger('fan', { n: 2 }, { idempotencyKey: 'order-42' });
    expect(b).toBe(a);
    await h.client.waitFor(a);
    const c = await h.client.trigger('fan', { n: 3 }, { idempotencyKey: 'order-42' });
    expect(c).toBe(a);
    expect(forExecution(a).filter((i) => i.step === 'start')).toHaveLength(1);
  });

  it('rejects a bad definition and a bad trigger context with errors that name the field, and starts nothing', async () => {
    const before = (await h.client.listExecutions({ limit: 10_000 })).length;
    const bad = { name: 'broken', steps: [{ name: 'a', squad: 'alpha', action: 'noop', dependsOn: ['ghost'] }] };
    const defError = await h.client.registerWorkflow(bad).catch((e: unknown) => e);
    expect(defError).toBeInstanceOf(SquadflowError);
    expect((defError as SquadflowError).issues).toEqual([
      { path: 'steps.0.dependsOn.0', message: 'step "a" depends on unknown step "ghost"' },
    ]);

    await h.client.registerWorkflow(
      workflow('typed')
        .contextSchema({
          type: 'object',
          required: ['customer_phone'],
          properties: { customer_phone: { type: 'string' }, cart_value: { type: 'number' } },
        })
        .task('a', { squad: 'alpha', action: 'noop' })
        .build(),
    );
    const ctxError = await h.client.trigger('typed', { cart_value: 'lots' }).catch((e: unknown) => e);
    expect(ctxError).toMatchObject({ code: 'INVALID_CONTEXT' });
    const paths = (ctxError as SquadflowError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['context.cart_value', 'context.customer_phone']));
    expect((ctxError as SquadflowError).message).toContain('customer_phone');
    await expect(h.client.trigger('nope', {})).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
    expect((await h.client.listExecutions({ limit: 10_000 })).length).toBe(before);
  });

  it('starts an execution from a trigger event another service publishes, once per idempotency key, and records a rejected one with the fields at fault', async () => {
    const n = names(h.prefix);
    const publish = (context: Record<string, unknown>, idempotencyKey: string) =>
      h.transport.streams.publish(n.trigger('typed'), triggerCodec.encode({ kind: 'trigger', workflow: 'typed', context, idempotencyKey }));
    await publish({ customer_phone: '+5511999999999' }, 'crm-1');
    await publish({ customer_phone: '+5511999999999' }, 'crm-1');
    await publish({ customer_phone: 42 }, 'crm-2');
    const find = async (key: string) =>
      (await h.client.listExecutions({ workflow: 'typed', limit: 1000 })).filter((e) => e.idempotencyKey === key);
    const ok = await until(
      'the published trigger to complete',
      () => find('crm-1'),
      (list) => list[0]?.status === 'completed',
    );
    expect(ok).toHaveLength(1);
    const [rejected] = await until(
      'the rejected trigger to be recorded',
      () => find('crm-2'),
      (list) => list.length > 0,
    );
    expect(rejected!.status).toBe('failed');
    expect(rejected!.error).toMatchObject({ code: 'INVALID_CONTEXT', issues: [{ path: 'context.customer_phone' }] });
    expect(rejected!.steps).toEqual([]);
  });

  it('starts the next workflow with the output of a completed execution, once (handoff)', async () => {
    await h.client.registerWorkflow(workflow('handoff_next').task('receive', { squad: 'beta', action: 'noop' }).build());
    await h.client.registerWorkflow(
      workflow('handoff_first')
        .task('brief', { squad: 'alpha', action: 'noop', input: '{ "product": product }' })
        .handoff('handoff_next', { input: '{ "brief": $output.brief.echo.product, "from": $execution.id }' })
        .handoff('handoff_next', { when: 'product = "never"' })
        .build(),
    );
    const id = await h.client.trigger('handoff_first', { product: 'Widget Pro' });
    expect((await h.client.waitFor(id)).status).toBe('completed');
    const next = await until(
      'the next workflow to complete',
      () => h.client.listExecutions({ workflow: 'handoff_next' }),
      (list) => list.length > 0 && list.every((e) => e.status === 'completed'),
    );
    expect(next).toHaveLength(1);
    expect(next[0]!.context).toEqual({ brief: 'Widget Pro', from: id });
    expect(next[0]!.idempotencyKey).toBe(`then.${id}.0`);
  });

  it('keeps running executions on the version they started with', async () => {
    const v1 = await h.client.registerWorkflow(workflow('versioned').task('a', { squad: 'alpha', action: 'noop', delay: '300ms' }).build());
    const id = await h.client.trigger('versioned', {});
    const v2 = await h.client.registerWorkflow(
      workflow('versioned')
        .task('a', { squad: 'alpha', action: 'noop', delay: '300ms' })
        .task('b', { squad: 'beta', action: 'noop', dependsOn: ['a'] })
        .build(),
    );
    expect(v2.version).toBe(v1.version + 1);
    const again = await h.client.registerWorkflow(
      workflow('versioned')
        .task('a', { squad: 'alpha', action: 'noop', delay: '300ms' })
        .task('b', { squad: 'beta', action: 'noop', dependsOn: ['a'] })
        .build(),
    );
    expect(again).toMatchObject({ version: v2.version, created: false });
    const view = await h.client.waitFor(id);
    expect(view.version).toBe(v1.version);
    expect(view.steps.map((s) => s.name)).toEqual(['a']);
  });

  it('reports metrics and lists executions by workflow and status', async () => {
    const metrics = await h.client.metrics();
    expect(metrics.total).toBeGreaterThan(5);
    expect(metrics.byStatus.completed).toBeGreaterThan(0);
    expect(metrics.successRate).toBeGreaterThan(0);
    expect(metrics.successRate).toBeLessThan(1);
    const fanJoin = metrics.steps.find((s) => s.workflow === 'fan' && s.step === 'left');
    expect(fanJoin?.p50Ms).toBeGreaterThanOrEqual(50);
    const failed = await h.client.listExecutions({ status: 'failed' });
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.status === 'failed')).toBe(true);
    const fans = await h.client.listExecutions({ workflow: 'fan' });
    expect(fans.every((e) => e.workflow === 'fan')).toBe(true);
    expect((await h.client.listWorkflows()).map((w) => w.name)).toEqual(expect.arrayContaining(['fan', 'saga', 'conversation']));
    // Cursor pagination walks every execution once, newest first.
    const all = await h.client.listExecutions({ limit: 1000 });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.client.pageExecutions({ limit: 4, ...(cursor ? { cursor } : {}) });
      expect(page.executions.length).toBeLessThanOrEqual(4);
      seen.push(...page.executions.map((e) => e.executionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.executionId));
    await expect(h.client.pageExecutions({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
