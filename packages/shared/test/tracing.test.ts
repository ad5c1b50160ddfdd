import { context, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  contextFromHeaders,
  deterministicSpanId,
  deterministicTraceId,
  emitFinishedSpan,
  formatTraceparent,
  parseTraceparent,
  PinnableIdGenerator,
  startTracing,
  traceHeaders,
  TRACER_NAME,
  tracingEnabled,
} from '../src/index.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** The SDK as `startTracing` sets it up, exporting to memory. */
function registerSdk(): { exporter: InMemorySpanExporter; provider: TracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ idGenerator: new PinnableIdGenerator(), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return { exporter, provider };
}

afterEach(() => {
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('trace context over message headers', () => {
  it('without an SDK nothing is carried: no headers, tracing off, extracted contexts hold no span', () => {
    expect(tracingEnabled()).toBe(false);
    expect(traceHeaders()).toBeUndefined();
    const extracted = contextFromHeaders((name) => (name === 'traceparent' ? `00-${TRACE_ID}-${SPAN_ID}-01` : undefined));
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it('with the SDK, the active span is injected as traceparent/tracestate and extracted back as a remote parent', async () => {
    const { exporter, provider } = registerSdk();
    expect(tracingEnabled()).toBe(true);
    const tracer = trace.getTracer(TRACER_NAME);
    const headers = tracer.startActiveSpan('publisher', (span) => {
      const h = traceHeaders();
      span.end();
      return { h, sc: span.spanContext() };
    });
    expect(headers.h).toEqual({ traceparent: `00-${headers.sc.traceId}-${headers.sc.spanId}-01` });
    expect(traceHeaders(ROOT_CONTEXT)).toBeUndefined();

    const carried = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'vendor=x' };
    const parent = contextFromHeaders((name) => carried[name as keyof typeof carried]);
    expect(trace.getSpanContext(parent)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true, traceFlags: 1 });
    tracer.startSpan('consumer', { kind: SpanKind.CONSUMER }, parent).end();
    await provider.forceFlush();
    const consumer = exporter.getFinishedSpans().find((s) => s.name === 'consumer')!;
    expect(consumer.spanContext().traceId).toBe(TRACE_ID);
    expect(consumer.parentSpanContext?.spanId).toBe(SPAN_ID);
    // tracestate travels with the context to the next hop.
    expect(traceHeaders(trace.setSpan(parent, trace.wrapSpanContext(trace.getSpanContext(parent)!)))).toEqual(carried);
  });

  it('a malformed or all-zero traceparent is ignored, a well-formed one round-trips', () => {
    for (const bad of [
      '',
      'garbage',
      `01-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    ]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
    }
    const sc = parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)!;
    expect(sc).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE, isRemote: true });
    expect(formatTraceparent(sc)).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });
});

describe('spans emitted after the fact', () => {
  it('deterministic ids are stable, distinct per kind and id, and valid W3C ids', () => {
    expect(deterministicSpanId('execution', 'ex_1')).toBe(deterministicSpanId('execution', 'ex_1'));
    expect(deterministicSpanId('execution', 'ex_1')).not.toBe(deterministicSpanId('attempt', 'ex_1'));
    expect(deterministicSpanId('execution', 'ex_1')).not.toBe(deterministicSpanId('execution', 'ex_2'));
    expect(deterministicSpanId('execution', 'ex_1')).toMatch(/^[0-9a-f]{16}$/);
    expect(deterministicTraceId('ex_1')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a finished span gets the pinned id and explicit times; the next span gets a random id again', async () => {
    const { exporter, provider } = registerSdk();
    const spanId = deterministicSpanId('execution', 'ex_1');
    emitFinishedSpan({
      name: 'execution w',
      parent: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true },
      spanId,
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_360_000,
      attributes: { 'squadflow.workflow': 'w' },
      error: 'step "a": boom',
    });
    emitFinishedSpan({
      name: 'root',
      spanId: deterministicSpanId('execution', 'ex_2'),
      traceId: deterministicTraceId('ex_2'),
      startTime: 1,
      endTime: 2,
      attributes: {},
    });
    trace.getTracer(TRACER_NAME).startSpan('random').end();
    await provider.forceFlush();
    const [execution, root, random] = exporter.getFinishedSpans();
    expect(execution!.spanContext()).toMatchObject({ traceId: TRACE_ID, spanId });
    expect(execution!.parentSpanContext?.spanId).toBe(SPAN_ID);
    expect(execution!.startTime).toEqual([1_700_000_000, 0]);
    expect(execution!.endTime).toEqual([1_700_000_360, 0]);
    expect(execution!.status).toEqual({ code: 2, message: 'step "a": boom' });
    expect(root!.spanContext()).toMatchObject({ traceId: deterministicTraceId('ex_2'), spanId: deterministicSpanId('execution', 'ex_2') });
    expect(root!.parentSpanContext).toBeUndefined();
    expect(random!.spanContext().spanId).not.toBe(spanId);
    expect(random!.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('startTracing', () => {
  it('stays off without an OTLP endpoint or when disabled, and names a bad variable', async () => {
    expect((await startTracing('svc', {})).enabled).toBe(false);
    expect((await startTracing('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).enabled).toBe(
      false,
    );
    expect(
      (await startTracing('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).enabled,
    ).toBe(false);
    expect(tracingEnabled()).toBe(false);
    await expect(startTracing('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      issues: [expect.objectContaining({ path: 'OTEL_EXPORTER_OTLP_ENDPOINT' })],
    });
    await expect(
      startTracing('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_SCHEDULE_DELAY: '-1' }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'OTEL_BSP_SCHEDULE_DELAY' })],
    });
  });

  it('with an endpoint it registers the SDK until shutdown', async () => {
    const tracing = await startTracing('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(tracing.enabled).toBe(true);
    expect(tracingEnabled()).toBe(true);
    await tracing.shutdown();
    expect(tracingEnabled()).toBe(false);
  });
});
