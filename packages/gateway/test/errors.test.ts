/** Error answers: one JSON shape, stable codes, the right status, and a request id everywhere. */
import { workflow } from '@squadflow/shared';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoWorkflow, startStack, type Stack } from './support.ts';

describe('error answers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      kind: 'memory',
      config: { bodyLimit: 64 * 1024 },
      workflows: [
        echoWorkflow(),
        workflow('typed')
          .contextSchema({ type: 'object', required: ['phone'], properties: { phone: { type: 'string' } } })
          .task('echo', { squad: 'alpha', action: 'noop' })
          .build(),
      ],
    });
  });
  afterAll(() => stack?.close());

  const inject = (options: InjectOptions) => stack.gateway.app.inject(options);

  it('answers malformed JSON with 400 INVALID_JSON and the parser reason', async () => {
    const res = await inject({
      method: 'POST',
      url: '/v1/workflows/echo/executions',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_JSON', issues: [] }, requestId: res.headers['x-request-id'] });
    expect(res.json().error.message).toMatch(/not valid JSON/);
  });

  it('answers a non-JSON media type with 415', async () => {
    const res = await inject({
      method: 'POST',
      url: '/v1/workflows/echo/executions',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body over the limit with 413 and starts nothing', async () => {
    const before = (await stack.client.listExecutions()).length;
    const res = await inject({ method: 'POST', url: '/v1/workflows/echo/executions', payload: { blob: 'x'.repeat(70 * 1024) } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stack.client.listExecutions()).toHaveLength(before);
  });

  it('answers a context failing the workflow schema with 422 INVALID_CONTEXT naming the field', async () => {
    const res = await inject({ method: 'POST', url: '/v1/workflows/typed/executions', payload: { phone: 5511 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('INVALID_CONTEXT');
    expect(res.json().error.issues).toEqual([expect.objectContaining({ path: expect.stringContaining('phone') })]);
  });

  it('answers a JSON array as context with 422, and a definition with cycles with 422 naming the step', async () => {
    expect((await inject({ method: 'POST', url: '/v1/workflows/echo/executions', payload: [1] })).statusCode).toBe(422);
    const def = {
      name: 'loop',
      steps: [
        { name: 'a', squad: 'alpha', action: 'noop', dependsOn: ['b'] },
        { name: 'b', squad: 'alpha', action: 'noop', dependsOn: ['a'] },
      ],
    };
    const res = await inject({ method: 'PUT', url: '/v1/workflows/loop', payload: def });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('INVALID_DEFINITION');
    expect(res.json().error.issues[0].path).toMatch(/^steps\./);
  });

  it('refuses a definition whose name differs from the path', async () => {
    const res = await inject({ method: 'PUT', url: '/v1/workflows/other', payload: echoWorkflow() });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues).toEqual([{ path: 'name', message: 'must equal the name in the path ("other")' }]);
    expect((await stack.client.listWorkflows()).map((w) => w.name)).not.toContain('other');
  });

  it('answers unknown workflows, executions and routes with 404 and distinct codes', async () => {
    const codes = await Promise.all(
      [
        { method: 'POST' as const, url: '/v1/workflows/nope/executions', payload: {} },
        { method: 'GET' as const, url: '/v1/executions/ex_missing' },
        { method: 'GET' as const, url: '/v1/nothing-here' },
      ].map(async (o) => {
        const res = await inject(o);
        return [res.statusCode, res.json().error.code];
      }),
    );
    expect(codes).toEqual([
      [404, 'WORKFLOW_NOT_FOUND'],
      [404, 'EXECUTION_NOT_FOUND'],
      [404, 'ROUTE_NOT_FOUND'],
    ]);
  });

  it('answers bad parameters with 400 INVALID_ARGUMENT naming each', async () => {
    const res = await inject({ method: 'GET', url: '/v1/executions?status=done&limit=0&since=yesterday' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['query.limit', 'query.since', 'query.status.0']);
    const wait = await inject({ method: 'POST', url: '/v1/workflows/echo/executions?wait=2h', payload: {} });
    expect(wait.json().error.issues).toEqual([{ path: 'query.wait', message: 'at most 60000 ms' }]);
  });

  it('keeps a sane X-Request-Id and replaces a hostile one', async () => {
    const kept = await inject({ method: 'GET', url: '/v1/executions/ex_missing', headers: { 'x-request-id': 'trace-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-123');
    expect(kept.json().requestId).toBe('trace-123');
    const replaced = await inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers the router's own refusals with the envelope, without echoing the URL", async () => {
    const broken = await inject({ method: 'GET', url: '/v1/executions/%E0%A4%A' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: { code: 'BAD_REQUEST', issues: [{ path: 'params' }] }, requestId: expect.any(String) });
    // Longer than the router takes (only reachable without Node's header limit, as here through inject).
    const huge = await inject({ method: 'GET', url: `/v1/executions/${'a'.repeat(20_000)}` });
    expect(huge.statusCode).toBe(414);
    expect(huge.json().error).toEqual({
      code: 'URI_TOO_LONG',
      message: expect.stringContaining('16384'),
      issues: [expect.objectContaining({ path: 'params' })],
    });
    expect(huge.body.length).toBeLessThan(1_000);
  });
});
