/**
 * The execution's spans survive what the execution survives: the trigger's
 * trace context is kept in the execution record, so a step dispatched after
 * a durable timer, from an actor restored from KV at every event (as after a
 * restart or on another replica), still joins the caller's trace, and the
 * execution and attempt spans, emitted when they end, carry the ids the
 * commands already named as their parents (docs/observability.md).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deterministicSpanId, PinnableIdGenerator, silentLogger, TRACER_NAME, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type MemoryTransport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { executionTrace, storableTraceparent } from '../src/tracing/execution-trace.ts';
import { fakeSquad } from './fake-squad.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ idGenerator: new PinnableIdGenerator(), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('execution trace context', () => {
  it('is computed alike from the execution id and the stored traceparent, by any process', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(executionTrace('ex_1', tp)).toEqual(executionTrace('ex_1', tp));
    expect(executionTrace('ex_1', tp).execution).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: deterministicSpanId('execution', 'ex_1'),
      traceFlags: 1,
      isRemote: true,
    });
    // Untraced trigger: a trace of its own, the same on every replica; an unsampled trigger stays unsampled.
    expect(executionTrace('ex_1', undefined).execution.traceId).toBe(executionTrace('ex_1', undefined).execution.traceId);
    expect(executionTrace('ex_1', undefined).trigger).toBeUndefined();
    expect(executionTrace('ex_1', tp.replace(/01$/, '00')).execution.traceFlags).toBe(0);
    expect(storableTraceparent('00-zz-00f067aa0ba902b7-01')).toBeUndefined();
    expect(storableTraceparent(tp)).toBe(tp);
  });
});

describe.each([
  ['a warm actor', false],
  ['an actor restored from KV at every event', true],
])('spans of an execution, with %s', (_mode, evictAfterEvent) => {
  let transport: MemoryTransport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
    orchestrator = transport = undefined;
    exporter.reset();
  });

  it('join the caller trace: commands name their attempt span, attempts their execution span, the execution its trigger', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), evictAfterEvent });
    const client = await EngineClient.connect({ transport });
    const traceparents = new Map<string, string | undefined>();
    await fakeSquad(
      transport,
      'shop',
      () => ({ ok: true }),
      (c, msg) => traceparents.set(c.id, msg.header('traceparent')),
    );
    await client.registerWorkflow(
      workflow('traced')
        .task('reserve', { squad: 'shop', action: 'reserve' })
        .task('notify', { squad: 'shop', action: 'notify', dependsOn: ['reserve'], delay: '5m' })
        .build(),
    );
    const caller = trace.getTracer(TRACER_NAME).startSpan('caller');
    const id = await context.with(trace.setSpan(context.active(), caller), () => client.trigger('traced', {}));
    caller.end();
    const { traceId, spanId: callerSpanId } = caller.spanContext();
    for (let i = 0; i < 5; i++) {
      await clock.advance(i === 2 ? 5 * 60_000 : 0); // the delay before `notify` is a durable timer
      await orchestrator.idle();
    }
    expect((await client.getExecution(id))?.status).toBe('completed');

    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const byName = (name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const execution = byName('execution traced');
    expect(execution.spanContext()).toMatchObject({ traceId, spanId: deterministicSpanId('execution', id) });
    expect(execution.parentSpanContext?.spanId).toBe(callerSpanId);
    for (const [step, action] of [
      ['reserve', 'reserve'],
      ['notify', 'notify'],
    ] as const) {
      const commandId = `${id}.${step}.1`;
      const attempt = byName(`attempt shop.${action}`);
      const attemptSpanId = deterministicSpanId('attempt', commandId);
      expect(attempt.spanContext()).toMatchObject({ traceId, spanId: attemptSpanId });
      expect(attempt.parentSpanContext?.spanId).toBe(execution.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({ 'squadflow.step': step, 'squadflow.attempt': 1, 'squadflow.outcome': 'completed' });
      // What the squad received: the attempt span as its parent, in the caller's trace.
      expect(traceparents.get(commandId)).toBe(`00-${traceId}-${attemptSpanId}-01`);
    }
    // The delayed step started five minutes after the execution did, and the execution span covers it.
    const notify = byName('attempt shop.notify');
    expect(notify.startTime[0] - execution.startTime[0]).toBeGreaterThanOrEqual(300);
    expect(execution.endTime[0]).toBeGreaterThanOrEqual(notify.endTime[0]);
  });

  it('a handoff starts the next workflow as a child of the execution span, in the same trace', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), evictAfterEvent });
    const client = await EngineClient.connect({ transport });
    await fakeSquad(transport, 'shop', () => ({ ok: true }));
    await client.registerWorkflow(workflow('second').task('ship', { squad: 'shop', action: 'ship' }).build());
    await client.registerWorkflow(workflow('first').task('pay', { squad: 'shop', action: 'pay' }).handoff('second').build());
    const caller = trace.getTracer(TRACER_NAME).startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () => client.trigger('first', {}));
    caller.end();
    for (let i = 0; i < 6; i++) {
      await clock.advance(0);
      await orchestrator.idle();
    }
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const first = spans.find((s) => s.name === 'execution first');
    const second = spans.find((s) => s.name === 'execution second');
    expect(second?.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(second?.parentSpanContext?.spanId).toBe(first?.spanContext().spanId);
    expect(spans.find((s) => s.name === 'attempt shop.ship')?.parentSpanContext?.spanId).toBe(second?.spanContext().spanId);
  });
});
