/**
 * `POST /v1/executions/{id}/retry` (retry from a step) over HTTP, on memory
 * and on NATS: a failed execution runs again from a completed step; bad
 * requests are 400 naming the field, 404 or 409, and change nothing. The
 * escalation view names the step's target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { startStack, type Stack } from './support.ts';

const failing = workflow('http_rewind')
  .task('prepare', { squad: 'alpha', action: 'noop' })
  .task('charge', { squad: 'alpha', action: 'fail', dependsOn: ['prepare'] })
  .build();
const escalating = workflow('http_escalate')
  .task('charge', { squad: 'alpha', action: 'fail', onError: 'escalate', escalationTarget: 'billing-lead' })
  .build();

type Json = Record<string, unknown>;

describe.each(['memory', 'nats'] as const)('retry from a step over HTTP (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind, workflows: [failing, escalating] });
  });
  afterAll(() => stack?.close());

  const post = (id: string, body: unknown) =>
    stack.gateway.app.inject({ method: 'POST', url: `/v1/executions/${id}/retry`, payload: body as Json });
  const view = async (id: string) => (await stack.gateway.app.inject({ method: 'GET', url: `/v1/executions/${id}` })).json() as Json;

  it('shows the escalation target in the escalation view and on the step', async () => {
    const id = await stack.client.trigger('http_escalate', {});
    await stack.client.waitFor(id, ['escalated'], 20_000);
    const body = await view(id);
    expect(body['escalation']).toMatchObject({ step: 'charge', target: 'billing-lead' });
    expect((body['steps'] as Json[]).find((s) => s['name'] === 'charge')).toMatchObject({ escalationTarget: 'billing-lead' });
  });

  it('refuses bad requests (400 naming the field, 404, 409) and changes nothing', async () => {
    const id = await stack.client.trigger('http_rewind', {});
    await stack.client.waitFor(id, undefined, 20_000);
    const before = await view(id);
    expect(before['status']).toBe('failed');

    const missing = await post(id, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT', issues: [{ path: 'body.fromStep' }] } });
    const unknown = await post(id, { fromStep: 'refund' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT', issues: [{ path: 'fromStep' }] } });
    const notCompleted = await post(id, { fromStep: 'charge' });
    expect(notCompleted.statusCode).toBe(400);
    expect(JSON.stringify(notCompleted.json())).toContain('only a completed step can be retried from');
    expect((await post('ex_nobody', { fromStep: 'prepare' })).statusCode).toBe(404);
    expect(await view(id)).toEqual(before);

    // Escalated, but its only step did not complete: nothing to retry from.
    const escalated = await stack.client.trigger('http_escalate', {});
    await stack.client.waitFor(escalated, ['escalated'], 20_000);
    const parked = await view(escalated);
    expect((await post(escalated, { fromStep: 'charge' })).statusCode).toBe(400);
    expect(await view(escalated)).toEqual(parked);
  });

  it('409 for an execution that is not failed or escalated; 202 rewinds a failed one, which fails again with new attempts', async () => {
    const waiting = await stack.client.trigger('http_escalate', {});
    await stack.client.waitFor(waiting, ['escalated'], 20_000);
    await stack.client.resolveEscalation(waiting, 'skip');
    await stack.client.waitFor(waiting, ['completed'], 20_000);
    const conflict = await post(waiting, { fromStep: 'charge' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ error: { code: 'CONFLICT' } });

    const id = await stack.client.trigger('http_rewind', {});
    await stack.client.waitFor(id, undefined, 20_000);
    const accepted = await post(id, { fromStep: 'prepare' });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toMatchObject({
      executionId: id,
      action: 'retry_from_step',
      fromStep: 'prepare',
      steps: ['prepare', 'charge'],
      accepted: true,
    });
    const controlId = (accepted.json() as Json)['controlId'];
    const after = await until(
      'rewound and failed again',
      () => view(id),
      (v) => ((v['rewinds'] as Json[] | undefined) ?? []).some((r) => r['id'] === controlId) && v['status'] === 'failed',
      20_000,
    );
    const attempts = (name: string) =>
      ((after['steps'] as Json[]).find((s) => s['name'] === name)!['attempts'] as Json[]).map((a) => a['attempt']);
    expect(attempts('prepare')).toEqual([1, 2]);
    expect(attempts('charge')).toEqual([1, 2]);
  });
});
