import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type SpanContext } from '@opentelemetry/api';
import { TRACER_NAME } from './names.ts';
import { withPinnedIds } from './pinned-ids.ts';

/** A span that is over, described by durable facts: who its parent is, its own id, when it started and ended. */
export interface FinishedSpan {
  name: string;
  kind?: SpanKind;
  /** The parent's span context (possibly in another process); none for a root span. */
  parent?: SpanContext;
  /** The span's own id: known to its children before it is emitted (`deterministicSpanId`). */
  spanId: string;
  /** A root span's trace id (ignored with a parent, whose trace it joins). */
  traceId?: string;
  /** Epoch ms. */
  startTime: number;
  endTime: number;
  attributes: Attributes;
  /** Set when it ended in failure: the span's status becomes ERROR with this message. */
  error?: string;
}

/**
 * Emits a span after the fact, with the id its children already point to.
 * Needs squadflow's id generator (`startTracing` installs it); under
 * another SDK the span gets a random id and its children an absent parent.
 */
export function emitFinishedSpan(spec: FinishedSpan): void {
  const tracer = trace.getTracer(TRACER_NAME);
  const parent = spec.parent ? trace.setSpanContext(ROOT_CONTEXT, spec.parent) : ROOT_CONTEXT;
  const span = withPinnedIds({ spanId: spec.spanId, ...(spec.parent ? {} : { traceId: spec.traceId }) }, () =>
    tracer.startSpan(spec.name, { kind: spec.kind ?? SpanKind.INTERNAL, startTime: spec.startTime, attributes: spec.attributes }, parent),
  );
  if (spec.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.error });
  span.end(spec.endTime);
}
