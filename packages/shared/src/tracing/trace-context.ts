import { createHash } from 'node:crypto';
import {
  context,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { TRACER_NAME, TRACEPARENT, TRACESTATE } from './names.ts';

/**
 * W3C trace context over message headers, and the deterministic ids of the
 * spans that outlive a process (docs/observability.md). Everything here goes
 * through `@opentelemetry/api`: with no SDK registered the propagator is a
 * no-op, `traceHeaders` answers undefined, and a publisher adds no header.
 */

const TRACEPARENT_PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * True when an OpenTelemetry tracer provider is registered (an SDK started):
 * the engine's durable spans are computed only then, so the hot path pays
 * one check when tracing is off.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(TRACER_NAME) !== undefined;
}

/** The headers that carry `ctx` (default: the active context) to another process; undefined when there is nothing to carry. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier[TRACEPARENT] === undefined ? undefined : carrier;
}

/** The context a message's (or request's) headers carry, as the parent of the spans it starts; ROOT when none. */
export function contextFromHeaders(header: (name: string) => string | undefined): Context {
  const traceparent = header(TRACEPARENT);
  if (traceparent === undefined) return ROOT_CONTEXT;
  const tracestate = header(TRACESTATE);
  return propagation.extract(ROOT_CONTEXT, tracestate === undefined ? { traceparent } : { traceparent, tracestate });
}

/** A W3C `traceparent` (version 00) as a remote span context; undefined when malformed or all-zero. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const m = value === undefined ? null : TRACEPARENT_PATTERN.exec(value);
  if (!m || m[1] === ZERO_TRACE_ID || m[2] === ZERO_SPAN_ID) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** The `traceparent` header of a span context. */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0')}`;
}

/**
 * A span id that any process computes alike from a durable id (`kind` keeps
 * the spans of one id apart: `execution`, `attempt`): the first 8 bytes of
 * SHA-256, never all-zero.
 */
export function deterministicSpanId(kind: string, id: string): string {
  const hex = createHash('sha256').update(`${kind}:${id}`).digest('hex').slice(0, 16);
  return hex === ZERO_SPAN_ID ? '0000000000000001' : hex;
}

/** A trace id computed alike by any process from a durable id (a trace that no caller started). */
export function deterministicTraceId(id: string): string {
  const hex = createHash('sha256').update(`trace:${id}`).digest('hex').slice(0, 32);
  return hex === ZERO_TRACE_ID ? `${'0'.repeat(31)}1` : hex;
}
