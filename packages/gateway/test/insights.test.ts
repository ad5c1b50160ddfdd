/** `GET /v1/workflows/{name}/insights`: computed from the workflow's newest executions, on memory and on NATS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { startStack, type Stack } from './support.ts';

/** `first`, then `second` and `third`; `third` reads nothing of `first`. */
const fanOut = workflow('fan_out')
  .task('first', { squad: 'alpha', action: 'noop' })
  .task('second', { squad: 'alpha', action: 'noop', dependsOn: ['first'], input: '{ "from": $steps.first }' })
  .task('third', { squad: 'alpha', action: 'noop', dependsOn: ['first'] })
  .build();

describe.each(['memory', 'nats'] as const)('workflow insights over HTTP (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind, workflows: [fanOut] });
  });
  afterAll(() => stack?.close());

  const get = async (url: string) => {
    const res = await stack.gateway.app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; issues: unknown[] } } };
  };

  it('reports durations, outcomes, the critical path and advice from ended executions', async () => {
    const ids = await Promise.all([1, 2, 3].map((n) => stack.client.trigger('fan_out', { n })));
    for (const id of ids) expect((await stack.client.waitFor(id, undefined, 20_000)).status).toBe('completed');
    const { status, body } = await get('/v1/workflows/fan_out/insights');
    expect(status).toBe(200);
    expect(body).toMatchObject({ workflow: 'fan_out', sampled: 3, ended: 3, successRate: 1, errors: [] });
    expect((body['durations'] as { count: number }).count).toBe(3);
    expect((body['steps'] as Array<{ step: string; action: string }>).map((s) => [s.step, s.action])).toEqual([
      ['first', 'alpha.noop'],
      ['second', 'alpha.noop'],
      ['third', 'alpha.noop'],
    ]);
    expect((body['criticalPath'] as string[])[0]).toBe('first');
    expect(body['advice']).toContainEqual(expect.objectContaining({ kind: 'parallelizable', step: 'third', dependsOn: 'first' }));
    expect(body['advice']).not.toContainEqual(expect.objectContaining({ kind: 'parallelizable', step: 'second' }));
    expect((await get('/v1/workflows/fan_out/insights?limit=2')).body['sampled']).toBe(2);
  });

  it('answers 404 for an unknown workflow and 400 naming `limit` for a bad one', async () => {
    const unknown = await get('/v1/workflows/nope/insights');
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'WORKFLOW_NOT_FOUND']);
    const bad = await get('/v1/workflows/fan_out/insights?limit=0');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error?.issues)).toContain('limit');
  });
});
