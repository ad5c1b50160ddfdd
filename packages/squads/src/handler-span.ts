import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  contextFromHeaders,
  SpanAttributes as A,
  SpanNames,
  traceHeaders,
  TRACER_NAME,
  tracingEnabled,
  type StepCommand,
  type StepReply,
} from '@squadflow/shared';
import type { DeliveredMessage } from '@squadflow/transport';

/**
 * The span of one handler run in the squad process: a child of the step
 * attempt's span, whose context the command's headers carry
 * (docs/observability.md). None while tracing is off: the command path then
 * pays one check.
 */
export function startHandlerSpan(msg: DeliveredMessage, command: StepCommand, squad: string): Span | undefined {
  if (!tracingEnabled()) return undefined;
  const parent = contextFromHeaders((name) => msg.header(name));
  return trace.getTracer(TRACER_NAME).startSpan(
    SpanNames.handler(squad, command.action),
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [A.EXECUTION_ID]: command.executionId,
        [A.WORKFLOW]: command.workflow,
        [A.STEP]: command.step,
        [A.ATTEMPT]: command.attempt,
        [A.SQUAD]: squad,
        [A.ACTION]: command.action,
        [A.COMPENSATION]: command.compensation,
        [A.COMMAND_ID]: command.id,
      },
    },
    parent,
  );
}

/** Runs `fn` with the span active, so spans the handler starts itself become its children. */
export function inSpan<T>(span: Span | undefined, fn: () => Promise<T>): Promise<T> {
  return span ? context.with(trace.setSpan(context.active(), span), fn) : fn();
}

/** Ends the span with the reply's outcome and answers the headers that carry it back on the reply. */
export function endHandlerSpan(span: Span | undefined, answer: StepReply): Record<string, string> | undefined {
  if (!span) return undefined;
  span.setAttribute(A.OUTCOME, answer.ok ? 'ok' : 'failed');
  if (!answer.ok) {
    if (answer.error?.code) span.setAttribute(A.ERROR_CODE, answer.error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: answer.error?.message ?? 'failed' });
  }
  span.end();
  return traceHeaders(trace.setSpan(context.active(), span));
}
