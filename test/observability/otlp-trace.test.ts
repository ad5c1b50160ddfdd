/**
 * Issue 13, part 3: one trace across real processes. A gateway, an
 * orchestrator and a squad run as OS processes with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP receiver; one
 * execution is triggered over HTTP with a `traceparent`. Every span of it
 * lands in the caller's trace, from the three services, with the parentage
 * docs/observability.md describes: caller → HTTP request → execution →
 * step attempt → squad handler. The first step fails once and is retried
 * after a durable backoff timer: the retry joins the same trace.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceNames, workflow } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { startGatewayProcess, type GatewayProcess } from '../reliability/gateway-process.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';

/** OTLP span kinds (the protocol's numbering). */
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

let d: Deployment | undefined;
let gateway: GatewayProcess | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await gateway?.child.stop();
  await d?.close();
  await receiver?.close();
  gateway = d = receiver = undefined;
});

describe('OpenTelemetry over real processes', () => {
  it('one trace spans the gateway, the orchestrator and the squad: request → execution → attempt → handler', async () => {
    receiver = await startOtlpReceiver();
    // A short export delay: the spans arrive while the processes run (shutdown flushing is the other path).
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    d = await deploy('otel', ['tracer'], { orchestratorEnv: otel, squadEnv: otel });
    await d.client.registerWorkflow(
      workflow('traced')
        .task('first', {
          squad: 'tracer',
          action: 'flaky',
          input: '{ "failAttempts": 1 }',
          retry: { retries: 2, initialInterval: '100ms' },
        })
        .task('second', { squad: 'tracer', action: 'noop', dependsOn: ['first'] })
        .build(),
    );
    gateway = await startGatewayProcess(d, 'traced', otel);

    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const res = await fetch(`${gateway.base}/v1/workflows/traced/executions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: '{}',
    });
    expect(res.status).toBe(202);
    const { executionId } = (await res.json()) as { executionId: string };
    expect((await d.client.waitFor(executionId, undefined, 30_000)).status).toBe('completed');

    const named = (spans: ReceivedSpan[], prefix: string) => spans.filter((s) => s.name.startsWith(prefix));
    const spans = await until(
      'the request, execution, 3 attempt and 3 handler spans',
      async () => receiver!.spans.filter((s) => s.traceId === traceId),
      (s) =>
        named(s, 'POST ').length === 1 &&
        named(s, 'execution ').length === 1 &&
        named(s, 'attempt ').length === 3 &&
        named(s, 'handle ').length === 3,
    );
    expect(receiver.rejected).toEqual([]);
    expect(new Set(spans.map((s) => s.service))).toEqual(
      new Set([ServiceNames.gateway, ServiceNames.orchestrator, ServiceNames.squad('tracer')]),
    );
    // Nothing of this execution went to another trace.
    expect(receiver.spans.filter((s) => s.attributes['squadflow.execution.id'] === executionId && s.traceId !== traceId)).toEqual([]);

    const [request] = named(spans, 'POST ');
    expect(request).toMatchObject({
      service: ServiceNames.gateway,
      name: 'POST /v1/workflows/:name/executions',
      parentSpanId: callerSpanId,
      kind: SERVER,
      attributes: { 'http.response.status_code': 202 },
    });

    const [execution] = named(spans, 'execution ');
    expect(execution).toMatchObject({
      service: ServiceNames.orchestrator,
      name: 'execution traced',
      parentSpanId: request!.spanId,
      attributes: { 'squadflow.execution.id': executionId, 'squadflow.workflow': 'traced', 'squadflow.execution.status': 'completed' },
    });

    const attempts = named(spans, 'attempt ').sort((a, b) => a.startMs - b.startMs);
    expect(
      attempts.map((a) => [a.attributes['squadflow.step'], a.attributes['squadflow.attempt'], a.attributes['squadflow.outcome']]),
    ).toEqual([
      ['first', 1, 'failed'],
      ['first', 2, 'completed'],
      ['second', 1, 'completed'],
    ]);
    for (const a of attempts) {
      expect(a).toMatchObject({ service: ServiceNames.orchestrator, parentSpanId: execution!.spanId, kind: PRODUCER });
      expect(a.attributes).toMatchObject({ 'squadflow.squad': 'tracer', 'squadflow.workflow': 'traced' });
      expect(a.startMs).toBeGreaterThanOrEqual(execution!.startMs);
      expect(a.endMs).toBeLessThanOrEqual(execution!.endMs);
    }
    expect(attempts[0]!.status).toBe(ERROR);

    // Each handler run is the child of its own attempt's span, in the squad process.
    for (const h of named(spans, 'handle ')) {
      const parent = attempts.find((a) => a.spanId === h.parentSpanId);
      expect(parent, `the parent of ${h.name} (${String(h.attributes['squadflow.step'])})`).toBeDefined();
      expect(h).toMatchObject({ service: ServiceNames.squad('tracer'), kind: CONSUMER });
      expect([h.attributes['squadflow.step'], h.attributes['squadflow.attempt']]).toEqual([
        parent!.attributes['squadflow.step'],
        parent!.attributes['squadflow.attempt'],
      ]);
      expect(h.attributes['squadflow.outcome']).toBe(parent!.attributes['squadflow.outcome'] === 'completed' ? 'ok' : 'failed');
    }
  });

  it('an orchestrator killed mid-step: its successor emits the attempt and execution spans the commands already named; the gateway flushes on SIGTERM', async () => {
    receiver = await startOtlpReceiver();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    d = await deploy('otelkill', ['tracer'], { orchestratorEnv: otel, squadEnv: otel });
    await d.client.registerWorkflow(
      workflow('survivor')
        .task('slow', { squad: 'tracer', action: 'sleep', input: '{ "ms": 3000 }', timeout: '20s' })
        .task('after', { squad: 'tracer', action: 'noop', dependsOn: ['slow'] })
        .build(),
    );
    // Exports only at shutdown: the request span can only arrive through the flush on SIGTERM.
    gateway = await startGatewayProcess(d, 'survivor', { ...otel, OTEL_BSP_SCHEDULE_DELAY: '600000' });

    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${gateway.base}/v1/workflows/survivor/executions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: '{}',
    });
    const { executionId } = (await res.json()) as { executionId: string };
    await until(
      'the slow step to start in the squad',
      async () => d!.invocations().filter((i) => i.executionId === executionId && i.step === 'slow'),
      (runs) => runs.length > 0,
    );
    const first = d.orchestrator;
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    await d.startOrchestrator();
    expect((await d.client.waitFor(executionId, undefined, 30_000)).status).toBe('completed');

    const ofTrace = () => receiver!.spans.filter((s) => s.traceId === traceId);
    await until(
      'the execution and both handler spans',
      async () => ofTrace(),
      (s) => s.filter((x) => /^(execution|handle) /.test(x.name)).length === 3,
    );
    expect(ofTrace().filter((s) => s.name.startsWith('POST '))).toEqual([]);
    await gateway.child.stop();
    const spans = await until(
      'the request span, flushed at shutdown',
      async () => ofTrace(),
      (s) => s.some((x) => x.name.startsWith('POST ')),
    );

    const request = spans.find((s) => s.name.startsWith('POST '))!;
    const execution = spans.filter((s) => s.name === 'execution survivor');
    expect(execution).toHaveLength(1);
    expect(execution[0]!.parentSpanId).toBe(request.spanId);
    const attempts = spans.filter((s) => s.name.startsWith('attempt '));
    // Both attempts ended under the second process, `slow` dispatched by the first: one attempt each, no retry.
    expect(attempts.map((a) => [a.attributes['squadflow.step'], a.attributes['squadflow.attempt']]).sort()).toEqual([
      ['after', 1],
      ['slow', 1],
    ]);
    for (const h of spans.filter((s) => s.name.startsWith('handle '))) {
      const parent = attempts.find((a) => a.spanId === h.parentSpanId);
      expect(parent?.attributes['squadflow.step']).toBe(h.attributes['squadflow.step']);
      expect(parent?.parentSpanId).toBe(execution[0]!.spanId);
    }
  });
});
