/** The HTTP API end to end: real HTTP, real NATS, an orchestrator and an in-process squad. */
import { workflow } from '@squadflow/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@squadflow/transport/testing';
import { echoWorkflow, sleepyWorkflow, startStack, waitingWorkflow, type Stack } from './support.ts';

interface Json {
  [key: string]: unknown;
}

describe('HTTP API over NATS', () => {
  let stack: Stack;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(stack.url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: (type.includes('json') ? await res.json() : await res.text()) as Json };
  };
  const execution = async (id: string) => (await call('GET', `/v1/executions/${id}`)).body as Json & { status: string };
  const reaches = (id: string, status: string) =>
    until(
      `${id} ${status}`,
      () => execution(id),
      (e) => e.status === status,
      20_000,
    );

  beforeAll(async () => {
    stack = await startStack({ kind: 'nats', listen: true });
  });
  afterAll(() => stack?.close());

  it('registers a workflow, starts it, and reports status and step history until it completes', async () => {
    const put = await call('PUT', '/v1/workflows/echo', echoWorkflow());
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ name: 'echo', version: 1, created: true });
    expect((await call('PUT', '/v1/workflows/echo', echoWorkflow())).body).toEqual({ name: 'echo', version: 1, created: false });

    const started = await call('POST', '/v1/workflows/echo/executions', { order: 7 });
    expect(started.status).toBe(202);
    const id = started.body['executionId'] as string;
    expect(started.headers.get('location')).toBe(`/v1/executions/${id}`);

    const done = await reaches(id, 'completed');
    expect(done.context).toEqual({ order: 7 });
    const [step] = done['steps'] as Array<Json & { attempts: Json[] }>;
    expect(step).toMatchObject({ name: 'echo', status: 'completed', output: { ok: true, echo: { order: 7 } } });
    expect(step!.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'completed' })]);
    expect(step!.attempts[0]!['endedAt'] as number).toBeGreaterThanOrEqual(step!.attempts[0]!['startedAt'] as number);
  });

  it('answers 200 with the result when the execution ends within ?wait, else 202 with a Location', async () => {
    await stack.client.registerWorkflow(sleepyWorkflow('sleepy', 3_000));
    const quick = await call('POST', '/v1/workflows/echo/executions?wait=20s', { n: 1 });
    expect(quick.status).toBe(200);
    expect(quick.body).toMatchObject({ status: 'completed', output: { echo: { ok: true, echo: { n: 1 } } } });

    const slow = await call('POST', '/v1/workflows/sleepy/executions?wait=100ms', {});
    expect(slow.status).toBe(202);
    expect(slow.headers.get('location')).toBe(`/v1/executions/${slow.body['executionId'] as string}`);
    expect(['pending', 'running']).toContain(slow.body['status']);
  });

  it('returns the same execution for the same Idempotency-Key', async () => {
    const first = await call('POST', '/v1/workflows/echo/executions', { k: 1 }, { 'idempotency-key': 'order-42' });
    const again = await call('POST', '/v1/workflows/echo/executions', { k: 1 }, { 'idempotency-key': 'order-42' });
    expect(again.body['executionId']).toBe(first.body['executionId']);
    const listed = (await call('GET', '/v1/executions?workflow=echo')).body['executions'] as Json[];
    expect(listed.filter((e) => e['idempotencyKey'] === 'order-42')).toHaveLength(1);
  });

  it('lists executions filtered by workflow and status, page by page with the cursor', async () => {
    await stack.client.registerWorkflow(echoWorkflow('paged'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await call('POST', '/v1/workflows/paged/executions?wait=20s', { i })).body['executionId'] as string);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/v1/executions?workflow=paged&status=completed,failed&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body['executions'] as Json[]).map((e) => e['executionId'] as string));
      cursor = page.body['nextCursor'] as string | undefined;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
    const none = await call('GET', `/v1/executions?workflow=paged&until=${new Date(0).toISOString()}`);
    expect(none.body['executions']).toEqual([]);
  });

  it('resumes a waiting execution with a signal sent over HTTP', async () => {
    await stack.client.registerWorkflow(waitingWorkflow());
    const id = (await call('POST', '/v1/workflows/waiter/executions', { order_id: 'A1' })).body['executionId'] as string;
    await reaches(id, 'waiting');
    const sent = await call('POST', '/v1/signals/order_A1', { paid: true }, { 'idempotency-key': 'payment-1' });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ key: 'order_A1', signalId: 'payment-1', waiting: true });
    const done = await reaches(id, 'completed');
    expect((done['steps'] as Json[]).find((s) => s['name'] === 'await_payment')).toMatchObject({
      outcome: 'signal',
      output: { paid: true },
    });
  });

  it('creates an execution with ?start=false, starts it with POST /start (twice is harmless), and cancels one that never started', async () => {
    await stack.client.registerWorkflow(echoWorkflow('held_echo'));
    const created = await call('POST', '/v1/workflows/held_echo/executions?start=false', { order: 9 });
    expect(created.status).toBe(202);
    const id = created.body['executionId'] as string;
    expect(await execution(id)).toMatchObject({ status: 'pending', held: true, steps: [] });
    const start = await call('POST', `/v1/executions/${id}/start`);
    expect(start.body).toEqual({ executionId: id, action: 'start', accepted: true });
    expect((await call('POST', `/v1/executions/${id}/start`)).status).toBe(202);
    const done = await reaches(id, 'completed');
    expect((done['steps'] as Json[])[0]).toMatchObject({ name: 'echo', status: 'completed', output: { ok: true, echo: { order: 9 } } });
    expect(done['held']).toBeUndefined();

    const dropped = (await call('POST', '/v1/workflows/held_echo/executions?start=false', {})).body['executionId'] as string;
    expect((await call('POST', `/v1/executions/${dropped}/cancel`, { reason: 'not needed' })).status).toBe(202);
    await reaches(dropped, 'cancelled');
    const late = await call('POST', `/v1/executions/${dropped}/start`);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'EXECUTION_ENDED' } });
    expect((await call('POST', '/v1/workflows/held_echo/executions?start=maybe', {})).status).toBe(400);
  });

  it('pauses, resumes and cancels an execution; an ended one answers 409', async () => {
    const id = (await call('POST', '/v1/workflows/waiter/executions', { order_id: 'B2' })).body['executionId'] as string;
    await reaches(id, 'waiting');
    expect((await call('POST', `/v1/executions/${id}/pause`, { reason: 'checking' })).status).toBe(202);
    await reaches(id, 'paused');
    expect((await call('POST', `/v1/executions/${id}/resume`)).status).toBe(202);
    await reaches(id, 'waiting');
    const cancel = await call('POST', `/v1/executions/${id}/cancel`, { reason: 'customer left' });
    expect(cancel.body).toEqual({ executionId: id, action: 'cancel', accepted: true });
    expect((await reaches(id, 'cancelled'))['cancelReason']).toBe('customer left');
    const again = await call('POST', `/v1/executions/${id}/cancel`);
    expect(again.status).toBe(409);
    expect((again.body['error'] as Json)['code']).toBe('EXECUTION_ENDED');
  });

  it('resolves an escalated execution through the escalation route', async () => {
    await stack.client.registerWorkflow(
      workflow('escalating')
        .task('charge', { squad: 'alpha', action: 'fail', onError: 'escalate' })
        .task('after', { squad: 'alpha', action: 'noop', dependsOn: ['charge'] })
        .build(),
    );
    const id = (await call('POST', '/v1/workflows/escalating/executions', {})).body['executionId'] as string;
    await reaches(id, 'escalated');
    const bad = await call('POST', `/v1/executions/${id}/escalation`, { action: 'ignore' });
    expect(bad.status).toBe(400);
    expect((bad.body['error'] as Json)['issues']).toEqual([expect.objectContaining({ path: 'body.action' })]);
    expect((await call('POST', `/v1/executions/${id}/escalation`, { action: 'skip', step: 'charge' })).status).toBe(202);
    const done = await reaches(id, 'completed');
    expect((done['steps'] as Json[]).map((s) => [s['name'], s['status']])).toEqual([
      ['charge', 'skipped'],
      ['after', 'completed'],
    ]);
  });

  it('serves the compiled statechart as JSON, and the workflow as a Mermaid flowchart by query or Accept header', async () => {
    const json = await call('GET', '/v1/workflows/waiter/statechart');
    expect(json.body).toMatchObject({ id: 'workflow', type: 'compound', initial: 'running' });
    expect(JSON.stringify(json.body)).toContain('await_payment');
    const byQuery = await call('GET', '/v1/workflows/waiter/statechart?format=mermaid');
    expect(byQuery.headers.get('content-type')).toContain('text/vnd.mermaid');
    expect(byQuery.body).toMatch(/^flowchart TD\n/);
    const byAccept = await call('GET', '/v1/workflows/waiter/statechart', undefined, { accept: 'text/vnd.mermaid' });
    expect(byAccept.body).toBe(byQuery.body);
  });

  it('exports Prometheus metrics and JSON metrics computed from the stored executions', async () => {
    const json = await call('GET', '/v1/metrics');
    const completed = (json.body['byStatus'] as Record<string, number>)['completed']!;
    expect(completed).toBeGreaterThanOrEqual(5);
    const text = (await call('GET', '/metrics')).body as unknown as string;
    expect(text).toContain(`squadflow_executions{status="completed"} ${completed}`);
    // A summary kept from the lifecycle stream since this gateway started (prom-client writes the quantile label first).
    expect(text).toMatch(/squadflow_step_duration_seconds\{quantile="0.5",workflow="echo",step="echo"\} [\d.e-]+/);
    expect(text).toMatch(/squadflow_executions_ended_total\{workflow="echo",status="completed"\} [1-9]\d*/);
    expect(text).toMatch(/squadflow_execution_duration_seconds_count\{workflow="echo",status="completed"\} [1-9]\d*/);
    expect(text).toMatch(/squadflow_http_requests_total\{method="POST",route="\/v1\/workflows\/:name\/executions",status="202"\} \d+/);
  });
});
