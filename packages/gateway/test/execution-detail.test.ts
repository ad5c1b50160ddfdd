/**
 * `GET /v1/executions/{id}` as the execution page reads it, and `?q=` on the
 * list, on memory and on NATS: secrets redacted at any depth, waits with
 * their keys and deadlines, the next retry of a step backing off, how to
 * resolve an escalation, and the text search by id, idempotency key and
 * correlation key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { echoWorkflow, startStack, waitingWorkflow, type Stack } from './support.ts';

const retrying = workflow('retrying')
  .task('flaky', {
    squad: 'alpha',
    action: 'fail',
    input: '{ "retryable": true }',
    retry: { retries: 2, initialInterval: '1h', maxInterval: '2h', jitter: 0 },
  })
  .build();
const escalating = workflow('escalating').task('charge', { squad: 'alpha', action: 'fail', onError: 'escalate' }).build();

type Json = Record<string, unknown>;
type Step = Json & { name: string; attempts: Array<{ endedAt?: number }> };

describe.each(['memory', 'nats'] as const)('the execution page over HTTP (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind, workflows: [echoWorkflow('detail_echo'), waitingWorkflow('detail_wait'), retrying, escalating] });
  });
  afterAll(() => stack?.close());

  const get = async (url: string) => {
    const res = await stack.gateway.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.json() as Json & { steps: Step[]; executions: Array<Json & { steps: Step[] }> };
  };
  const stepOf = (view: { steps: Step[] }, name: string) => view.steps.find((s) => s.name === name)!;

  it('redacts secret-named properties of the context, inputs and outputs at any depth, in the view and the list', async () => {
    const context = {
      customer: { name: 'Ana', apiKey: 'k-123', cards: [{ last4: '4242', password: 'p' }] },
      Authorization: 'Bearer abc',
      access_token: 'tok',
    };
    const id = await stack.client.trigger('detail_echo', context);
    await stack.client.waitFor(id, undefined, 20_000);
    const view = await get(`/v1/executions/${id}`);
    const redacted = {
      customer: { name: 'Ana', apiKey: '[redacted]', cards: [{ last4: '4242', password: '[redacted]' }] },
      Authorization: '[redacted]',
      access_token: '[redacted]',
    };
    expect(view['context']).toEqual(redacted);
    // The fixture's noop echoes its input (the context): the output is redacted too.
    expect((stepOf(view, 'echo')['output'] as Json)['echo']).toEqual(redacted);
    expect(JSON.stringify(view)).not.toMatch(/k-123|Bearer abc|"tok"|"p"/);
    const listed = await get(`/v1/executions?workflow=detail_echo`);
    expect(JSON.stringify(listed)).not.toContain('k-123');
    // What the squad received was the real value: only the answer is redacted.
    expect(((await stack.client.getExecution(id))!.context['customer'] as Json)['apiKey']).toBe('k-123');
  });

  it('shows a wait with its key and deadline, on the step and in the execution waits', async () => {
    const id = await stack.client.trigger('detail_wait', { order_id: 42 });
    await stack.client.waitFor(id, ['waiting'], 20_000);
    const view = await get(`/v1/executions/${id}`);
    const wait = stepOf(view, 'await_payment');
    expect(wait['key']).toBe('order_42');
    expect((wait['deadline'] as number) - (wait['startedAt'] as number)).toBe(3_600_000);
    expect(view['waits']).toEqual([{ key: 'order_42', step: 'await_payment', purpose: 'wait', deadline: wait['deadline'] }]);
  });

  it('shows when a step backing off retries next, from its armed timer', async () => {
    const id = await stack.client.trigger('retrying', {});
    // The backoff timer is in storage, with no event to await.
    const view = await until(
      'the step to back off',
      () => get(`/v1/executions/${id}`),
      (v) => v.steps.find((s) => s.name === 'flaky')?.['nextRetryAt'] !== undefined,
      20_000,
    );
    const flaky = stepOf(view, 'flaky');
    expect(flaky['status']).toBe('backoff');
    const lastEnd = flaky.attempts.at(-1)!.endedAt!;
    expect((flaky['nextRetryAt'] as number) - lastEnd).toBe(3_600_000);
    expect(flaky['timers']).toEqual([{ kind: 'backoff', attempt: 1, dueAt: flaky['nextRetryAt'] }]);
  });

  it('shows an escalated execution with its step, the key that resolves it and the actions', async () => {
    const id = await stack.client.trigger('escalating', {});
    await stack.client.waitFor(id, ['escalated'], 20_000);
    const view = await get(`/v1/executions/${id}`);
    expect(view['escalation']).toEqual({ step: 'charge', key: `escalation_${id}`, actions: ['retry', 'skip', 'abort'] });
    expect(view['waits']).toContainEqual({ key: `escalation_${id}`, step: 'charge', purpose: 'escalation' });
  });

  it('finds executions by a part of the id, an exact idempotency key and the correlation key they wait on', async () => {
    const keyed = await stack.client.trigger('detail_echo', { n: 1 }, { idempotencyKey: 'order-777' });
    const waiting = await stack.client.trigger('detail_wait', { order_id: 9001 });
    await stack.client.waitFor(waiting, ['waiting'], 20_000);
    const ids = async (q: string) => (await get(`/v1/executions?q=${encodeURIComponent(q)}`)).executions.map((e) => e['executionId']);
    expect(await ids('order-777')).toEqual([keyed]);
    expect(await ids(keyed.slice(3, 15))).toEqual([keyed]);
    expect(await ids('order_9001')).toEqual([waiting]);
    expect(await ids('no-such-thing')).toEqual([]);
    expect((await get(`/v1/executions?q=order-777&workflow=detail_wait`)).executions).toEqual([]);
  });
});
