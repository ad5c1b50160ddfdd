import { SpanKind } from '@opentelemetry/api';
import { emitFinishedSpan, isTerminal, SpanAttributes as A, SpanNames, type Logger } from '@squadflow/shared';
import { commandId } from '../compile/ids.ts';
import type { AttemptRecord } from '../compile/index.ts';
import { isTaskPlan } from '../compile/steps/task.ts';
import type { LiveExecution } from '../runtime/execution-cache.ts';
import { attemptSpanContext, executionTrace, type ExecutionTrace } from './execution-trace.ts';

/**
 * Emits the spans a persisted transition finished: each task attempt that
 * ended in it (dispatch → reply or timeout) and, when the execution reached
 * a terminal status, the execution span. Judged by comparing the snapshot
 * before and after, so the process that wrote the transition emits them
 * once (a crash between the write and this loses them: telemetry, not state).
 * Called only while tracing is on.
 */
export function emitTransitionSpans(before: LiveExecution | undefined, after: LiveExecution, logger: Logger): void {
  try {
    const ctx = after.snapshot.context;
    const trace = executionTrace(ctx.executionId, after.record.trace);
    for (const [step, record] of Object.entries(ctx.steps)) {
      const plan = after.workflow.plan.steps.get(step);
      if (!plan || !isTaskPlan(plan)) continue;
      const prior = before?.snapshot.context.steps[step]?.attempts;
      for (const a of record.attempts) {
        if (a.endedAt === undefined || prior?.some((p) => sameAttempt(p, a) && p.endedAt !== undefined)) continue;
        const target = a.compensation ? plan.compensate : plan;
        if (!target) continue;
        emitAttempt(after, trace, step, a, target.squad, target.action);
      }
    }
    if (isTerminal(after.record.status) && !(before && isTerminal(before.record.status))) emitExecution(after, trace);
  } catch (err) {
    // Never let telemetry fail an event that is already persisted.
    logger.warn({ err, executionId: after.record.executionId }, 'emitting spans failed');
  }
}

function sameAttempt(a: AttemptRecord, b: AttemptRecord): boolean {
  return a.attempt === b.attempt && (a.compensation === true) === (b.compensation === true);
}

function emitAttempt(live: LiveExecution, trace: ExecutionTrace, step: string, a: AttemptRecord, squad: string, action: string): void {
  const ctx = live.snapshot.context;
  const id = commandId(ctx.executionId, step, a.attempt, a.compensation === true);
  emitFinishedSpan({
    name: SpanNames.attempt(squad, action),
    kind: SpanKind.PRODUCER,
    parent: trace.execution,
    spanId: attemptSpanContext(trace, id).spanId,
    startTime: a.startedAt,
    endTime: a.endedAt ?? ctx.now,
    attributes: {
      [A.EXECUTION_ID]: ctx.executionId,
      [A.WORKFLOW]: ctx.workflow,
      [A.STEP]: step,
      [A.ATTEMPT]: a.attempt,
      [A.SQUAD]: squad,
      [A.ACTION]: action,
      [A.COMPENSATION]: a.compensation === true,
      [A.COMMAND_ID]: id,
      [A.OUTCOME]: a.status,
      ...(a.error?.code ? { [A.ERROR_CODE]: a.error.code } : {}),
    },
    ...(a.status === 'completed' ? {} : { error: a.error?.message ?? a.status }),
  });
}

function emitExecution(live: LiveExecution, trace: ExecutionTrace): void {
  const ctx = live.snapshot.context;
  const { record } = live;
  emitFinishedSpan({
    name: SpanNames.execution(ctx.workflow),
    kind: SpanKind.INTERNAL,
    ...(trace.trigger ? { parent: trace.trigger } : {}),
    spanId: trace.execution.spanId,
    traceId: trace.execution.traceId,
    startTime: ctx.startedAt,
    endTime: ctx.endedAt ?? ctx.now,
    attributes: {
      [A.EXECUTION_ID]: ctx.executionId,
      [A.WORKFLOW]: ctx.workflow,
      [A.WORKFLOW_VERSION]: ctx.version,
      [A.STATUS]: record.status,
      ...(record.error?.code ? { [A.ERROR_CODE]: record.error.code } : {}),
    },
    ...(record.status === 'completed' ? {} : { error: record.error?.message ?? record.status }),
  });
}
