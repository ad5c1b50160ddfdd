/** Definitions at and over the size limits (docs/definitions.md, "Limits") through the HTTP API. */
import { MAX_DEFINITION_STEPS } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoWorkflow, startStack, type Stack } from './support.ts';

/** A chain of `n` no-op steps on the fixture squad. */
const chain = (name: string, n: number) => ({
  name,
  steps: Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    squad: 'alpha',
    action: 'noop',
    ...(i ? { dependsOn: [`s${i - 1}`] } : {}),
  })),
});

describe('definition limits over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind: 'memory', workflows: [echoWorkflow('small')] });
  });
  afterAll(() => stack?.close());

  it('answers a definition over the step limit with 413 DEFINITION_TOO_LARGE naming the limit, and stores nothing', async () => {
    const res = await stack.gateway.app.inject({
      method: 'PUT',
      url: '/v1/workflows/huge',
      payload: chain('huge', MAX_DEFINITION_STEPS + 1),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({
      code: 'DEFINITION_TOO_LARGE',
      issues: [{ path: 'steps', message: expect.stringContaining(`at most ${MAX_DEFINITION_STEPS}`) }],
    });
    expect((await stack.gateway.app.inject({ method: 'GET', url: '/v1/workflows/huge' })).statusCode).toBe(404);
  });

  it('registers a definition at the step limit, runs it, and serves its statechart', async () => {
    const registered = await stack.gateway.app.inject({
      method: 'PUT',
      url: '/v1/workflows/at_limit',
      payload: chain('at_limit', MAX_DEFINITION_STEPS),
    });
    expect(registered.statusCode).toBe(201);

    const started = await stack.gateway.app.inject({ method: 'POST', url: '/v1/workflows/at_limit/executions', payload: {} });
    expect(started.statusCode).toBe(202);
    const { executionId } = started.json() as { executionId: string };
    const execution = await until(
      'the first two steps to complete',
      () => stack.client.getExecution(executionId),
      (view) => (view?.steps.filter((s) => s.status === 'completed').length ?? 0) >= 2,
    );
    expect(execution!.steps.slice(0, 2).map((s) => s.name)).toEqual(['s0', 's1']);
    await stack.client.cancel(executionId);

    const chart = await stack.gateway.app.inject({ method: 'GET', url: '/v1/workflows/at_limit/statechart' });
    expect(chart.statusCode).toBe(200);
    expect(Object.keys(chart.json().states.running.states)).toHaveLength(MAX_DEFINITION_STEPS);
  });
});
