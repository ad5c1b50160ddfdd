import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { deterministicSpanId, deterministicTraceId, formatTraceparent, parseTraceparent, TRACEPARENT } from '@squadflow/shared';

/**
 * Where one execution's spans sit in a trace, computed alike by any replica
 * at any time from two durable facts: the execution id and the trigger's
 * `traceparent` kept in its record (`ExecutionRecord.trace`). The execution
 * span and each attempt span have ids derived from the execution and command
 * ids, so a command dispatched after a timer, a restart or by another
 * replica names the same parent, and the spans themselves are emitted once,
 * when they end (`transition-spans.ts`), with those ids.
 */
export interface ExecutionTrace {
  /** The span that triggered the execution (the gateway's request, a publisher's span); none for an untraced trigger. */
  readonly trigger?: SpanContext;
  /** The execution span: a child of `trigger`, or the root of a trace of its own (trace id derived from the execution id). */
  readonly execution: SpanContext;
}

export function executionTrace(executionId: string, traceparent: string | undefined): ExecutionTrace {
  const trigger = parseTraceparent(traceparent);
  const execution: SpanContext = {
    traceId: trigger?.traceId ?? deterministicTraceId(executionId),
    spanId: deterministicSpanId('execution', executionId),
    // An unsampled trigger keeps the whole execution unsampled, as a parent-based sampler would.
    traceFlags: trigger ? trigger.traceFlags : TraceFlags.SAMPLED,
    isRemote: true,
  };
  return trigger ? { trigger, execution } : { execution };
}

/** The span of one step attempt (`commandId` names it), child of the execution span. */
export function attemptSpanContext(trace: ExecutionTrace, commandId: string): SpanContext {
  return { ...trace.execution, spanId: deterministicSpanId('attempt', commandId) };
}

/** The headers of a step command: the squad's handler span becomes a child of the attempt span. */
export function commandTraceHeaders(trace: ExecutionTrace, commandId: string): Record<string, string> {
  return { [TRACEPARENT]: formatTraceparent(attemptSpanContext(trace, commandId)) };
}

/** The headers of a message the execution itself sends (a `then` handoff's trigger): its spans become children of the execution span. */
export function executionTraceHeaders(trace: ExecutionTrace): Record<string, string> {
  return { [TRACEPARENT]: formatTraceparent(trace.execution) };
}

/** A trigger's `traceparent` worth keeping in the record: a well-formed one, else nothing (W3C: an invalid header is ignored). */
export function storableTraceparent(value: string | undefined): string | undefined {
  return parseTraceparent(value) ? value : undefined;
}
