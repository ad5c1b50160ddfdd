import { z } from 'zod';
import {
  StepErrorCode,
  compileExpression,
  compileJsonSchema,
  durationMs,
  TaskStepSchema,
  type ExpressionScope,
  type FieldIssue,
  type InputMapping,
  type RetryPolicy,
  type StepError,
} from '@squadflow/shared';
import { backoffMs } from '../backoff.ts';
import { cancelTimer, completeStep, emit, endAttempt, patchStep, startTimer, timerFired, TIMEOUT_ERROR } from '../context-ops.ts';
import { isStepEvent, stepEventOf, stepEventType, type MachineEvent } from '../events.ts';
import { commandId } from '../ids.ts';
import type { MachineActionRef, MachineState, MachineTransition } from '../machine-names.ts';
import { act, named, type Ctx, type GuardArgs, type StepParams } from '../machine-kit.ts';
import type { BasePlan, Plans, RegionParts, StepKind } from './kind.ts';

/**
 * A task: a command to a squad action, answered by a reply. Attempts are
 * retried with backoff; each has a timeout (a heartbeat re-arms it).
 *
 *   running <-> backoff -> completed | (onError, see region.ts)
 */
export interface TaskPlan extends BasePlan {
  type: 'task';
  timeoutMs: number;
  retry: RetryPolicy;
  squad: string;
  action: string;
  compensate?: { squad: string; action: string; input?: InputMapping };
  /** Checks a reply's output against the step's `outputSchema`. */
  checkOutput?: (output: unknown) => FieldIssue[];
  circuitBreaker?: { failureThreshold: number; resetAfterMs: number; whileOpen: 'fail' | 'wait' };
}

const NO_RETRY: RetryPolicy = { retries: 0, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '5m', jitter: 0.2 };

/** Step-record fields only tasks write. */
const taskRecordFields = {
  /** The last progress a heartbeat reported. */
  progress: z.unknown().optional(),
};

export const isTaskPlan = (plan: BasePlan): plan is TaskPlan => plan.type === 'task';

/** A step whose attempts retry with backoff (tasks, workflow steps): the retry guards and backoff below serve both. */
export type RetryingPlan = BasePlan & { retry: RetryPolicy };
export const isRetryingPlan = (plan: BasePlan): plan is RetryingPlan => 'retry' in plan;

/** A step's input mapping (one expression, or an object of expressions) evaluated over the execution's scope. */
export async function mapInput(mapping: InputMapping, scope: ExpressionScope): Promise<unknown> {
  if (typeof mapping === 'string') return compileExpression(mapping).evaluate(scope);
  const out: Record<string, unknown> = {};
  for (const [key, source] of Object.entries(mapping)) out[key] = await compileExpression(source).evaluate(scope);
  return out;
}

export type Source = 'reply' | 'timeout';
type ResultEvent = { attempt: number; ok?: boolean; error?: StepError; timer?: string };

/** An open breaker whose policy waits: the attempt is held, not counted as a retry. */
const waitsForBreaker = (error: StepError): boolean => error.code === StepErrorCode.CIRCUIT_OPEN && error.retryAfterMs !== undefined;

/** The reply or timer event a failure route runs on (undefined for any other event). */
function resultEvent(event: MachineEvent, source: Source): ResultEvent | undefined {
  if (source === 'reply') return isStepEvent(event, 'reply') ? event : undefined;
  return isStepEvent(event, 'timer') ? event : undefined;
}
const isCurrentFailure = (ctx: Ctx, e: ResultEvent | undefined, step: string, source: Source): e is ResultEvent =>
  e !== undefined && e.attempt === ctx.steps[step]!.attempt && (source === 'reply' ? !e.ok : e.timer === 'timeout');
const failureError = (e: ResultEvent, source: Source): StepError =>
  source === 'reply' ? (e.error ?? { message: 'step failed', retryable: true }) : TIMEOUT_ERROR;

/**
 * Retries used so far: attempts that waited for an open breaker (`whileOpen: wait`) do not count, nor
 * attempts before an operator's rewind (`attemptBase`): a step run again gets its whole retry policy.
 */
function retriesLeft(ctx: Ctx, plan: RetryingPlan): boolean {
  const rec = ctx.steps[plan.name];
  const base = rec?.attemptBase ?? 0;
  const waited =
    rec?.attempts.filter((a) => a.attempt > base && a.error?.code === StepErrorCode.CIRCUIT_OPEN && a.error.retryAfterMs !== undefined)
      .length ?? 0;
  return (rec?.attempt ?? 0) - base - waited <= plan.retry.retries;
}

function taskGuards(plans: Plans) {
  const taskOf = (step: string): TaskPlan => plans.of(step, isTaskPlan);
  const retryingOf = (step: string): RetryingPlan => plans.of(step, isRetryingPlan);
  const replyOk = (ctx: Ctx, event: MachineEvent, step: string): boolean =>
    isStepEvent(event, 'reply') && event.ok && event.attempt === ctx.steps[step]!.attempt;
  return {
    replyOk: ({ context, event }: GuardArgs, { step }: StepParams) => replyOk(context, event, step),
    replyInvalidOutput: ({ context, event }: GuardArgs, { step }: StepParams) =>
      replyOk(context, event, step) && taskOf(step).checkOutput!(stepEventOf(event, 'reply').output ?? null).length > 0,
    currentAttempt: ({ context, event }: GuardArgs, { step }: StepParams) =>
      isStepEvent(event, 'heartbeat') && event.attempt === context.steps[step]!.attempt,
    failCanRetry: ({ context, event }: GuardArgs, { step, source }: StepParams & { source: Source }) => {
      const e = resultEvent(event, source);
      if (!isCurrentFailure(context, e, step, source) || context.failure) return false;
      const error = failureError(e, source);
      return error.retryable !== false && (waitsForBreaker(error) || retriesLeft(context, retryingOf(step)));
    },
    failHalting: ({ context, event }: GuardArgs, { step, source }: StepParams & { source: Source }) =>
      isCurrentFailure(context, resultEvent(event, source), step, source) && context.failure !== undefined,
    failCurrent: ({ context, event }: GuardArgs, { step, source }: StepParams & { source: Source }) =>
      isCurrentFailure(context, resultEvent(event, source), step, source),
  };
}

function taskActions(plans: Plans) {
  const taskOf = (step: string): TaskPlan => plans.of(step, isTaskPlan);
  const cancelTimeout = (ctx: Ctx, step: string): Ctx => cancelTimer(ctx, step, ctx.steps[step]!.attempt, 'timeout');
  return {
    /** Starts attempt n+1: dispatch the command and arm its timeout. */
    startAttempt: act<StepParams>((ctx, _e, { step }) => {
      const plan = taskOf(step);
      const rec = ctx.steps[step]!;
      const attempt = rec.attempt + 1;
      let next = patchStep(ctx, step, {
        status: 'running',
        attempt,
        startedAt: rec.startedAt ?? ctx.now,
        attempts: [...rec.attempts, { attempt, startedAt: ctx.now, status: 'running' }],
      });
      next = emit(next, {
        kind: 'dispatch',
        id: commandId(ctx.executionId, step, attempt, false),
        step,
        attempt,
        squad: plan.squad,
        action: plan.action,
        compensation: false,
        input: rec.input ?? ctx.input,
        deadline: ctx.now + plan.timeoutMs,
        ...(plan.circuitBreaker ? { breaker: plan.circuitBreaker } : {}),
        ...(ctx.priority === undefined ? {} : { priority: ctx.priority }),
      });
      return startTimer(next, step, attempt, 'timeout', plan.timeoutMs);
    }),
    succeed: act<StepParams>((ctx, event, { step }) =>
      completeStep(endAttempt(cancelTimeout(ctx, step), step, 'completed'), step, stepEventOf(event, 'reply').output ?? null),
    ),
    failAttempt: act<StepParams>((ctx, event, { step }) =>
      endAttempt(cancelTimeout(ctx, step), step, 'failed', failureError(stepEventOf(event, 'reply'), 'reply')),
    ),
    timeoutAttempt: act<StepParams>((ctx, _e, { step }) =>
      endAttempt(timerFired(ctx, step, ctx.steps[step]!.attempt, 'timeout'), step, 'timed_out', TIMEOUT_ERROR),
    ),
    invalidOutput: act<StepParams>((ctx, event, { step }) => {
      const issues = taskOf(step).checkOutput!(stepEventOf(event, 'reply').output ?? null);
      const error = {
        message: `output does not match outputSchema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        code: StepErrorCode.INVALID_OUTPUT,
        retryable: false,
      };
      return endAttempt(cancelTimeout(ctx, step), step, 'failed', error);
    }),
    // A heartbeat re-arms the attempt's timeout (same timer id, later due time).
    heartbeat: act<StepParams>((ctx, event, { step }) => {
      const { progress } = stepEventOf(event, 'heartbeat');
      const next = patchStep(ctx, step, progress === undefined ? {} : { progress });
      return startTimer(next, step, ctx.steps[step]!.attempt, 'timeout', taskOf(step).timeoutMs);
    }),
    startBackoff: act<StepParams>((ctx, _e, { step }) => {
      const plan = plans.of(step, isRetryingPlan);
      const rec = ctx.steps[step]!;
      // A retry is never sooner than the error asks (an open circuit breaker's remaining time).
      const asked = rec.attempts.at(-1)?.error?.retryAfterMs ?? 0;
      const wait = Math.max(asked, backoffMs(plan.retry, rec.attempt, `${ctx.executionId}.${step}`));
      return startTimer(patchStep(ctx, step, { status: 'backoff' }), step, rec.attempt, 'backoff', wait);
    }),
  };
}

/**
 * Where a failed attempt goes (a failed reply, or the attempt's timeout):
 * backoff and a new attempt while retries are left, `halted` when the
 * execution is halting, else the step's `onError` (`exhausted`).
 */
export function retryRoutes(
  p: StepParams,
  exhausted: RegionParts['exhausted'],
  actions: MachineActionRef[],
  source: Source,
): MachineTransition[] {
  return [
    { guard: named('failCanRetry', { ...p, source }), target: 'backoff', actions },
    { guard: named('failHalting', { ...p, source }), target: 'halted', actions: [...actions, named('halt', p)] },
    { guard: named('failCurrent', { ...p, source }), ...exhausted(actions) },
  ];
}

/** The backoff state between attempts (tasks, workflow steps). */
export function backoffState(plan: BasePlan, p: StepParams, halted: MachineTransition): MachineState {
  return {
    entry: [named('startBackoff', p)],
    on: {
      [stepEventType('timer', plan.name)]: {
        guard: named('isTimer', { ...p, timer: 'backoff' }),
        target: 'running',
        actions: [named('timerFired', { ...p, timer: 'backoff' })],
      },
      halt: halted,
    },
  };
}

export const task: StepKind<'task', TaskPlan, ReturnType<typeof taskGuards>, ReturnType<typeof taskActions>, typeof taskRecordFields> = {
  type: 'task',
  schema: TaskStepSchema,
  recordFields: taskRecordFields,
  owns: isTaskPlan,
  plan: (step, common, def) => ({
    ...common,
    type: 'task',
    needsEvaluation: common.hasCondition || step.input !== undefined,
    start: async (scope) => (step.input === undefined ? {} : { input: await mapInput(step.input, scope) }),
    onError: step.onError ?? common.onError,
    timeoutMs: durationMs(step.timeout ?? def.defaults.timeout),
    retry: step.retry ?? def.defaults.retry ?? NO_RETRY,
    squad: step.squad,
    action: step.action,
    ...(step.outputSchema ? { checkOutput: compileJsonSchema(step.outputSchema, 'output') } : {}),
    ...(step.circuitBreaker
      ? {
          circuitBreaker: {
            failureThreshold: step.circuitBreaker.failureThreshold,
            resetAfterMs: durationMs(step.circuitBreaker.resetAfter),
            whileOpen: step.circuitBreaker.whileOpen,
          },
        }
      : {}),
    ...(step.compensate
      ? {
          compensate: {
            squad: step.compensate.squad ?? step.squad,
            action: step.compensate.action,
            ...(step.compensate.input === undefined ? {} : { input: step.compensate.input }),
          },
        }
      : {}),
  }),
  begin: 'running',
  states: (plan, { p, exhausted, halted }) => {
    const failRoutes = (failAction: 'failAttempt' | 'timeoutAttempt', source: Source) =>
      retryRoutes(p, exhausted, [named(failAction, p)], source);
    return {
      running: {
        entry: [named('startAttempt', p)],
        on: {
          [stepEventType('reply', plan.name)]: [
            ...(plan.checkOutput ? [{ guard: named('replyInvalidOutput', p), ...exhausted([named('invalidOutput', p)]) }] : []),
            { guard: named('replyOk', p), target: 'completed', actions: [named('succeed', p), 'raiseSettled'] },
            ...failRoutes('failAttempt', 'reply'),
          ],
          [stepEventType('timer', plan.name)]: failRoutes('timeoutAttempt', 'timeout'),
          [stepEventType('heartbeat', plan.name)]: { guard: named('currentAttempt', p), actions: [named('heartbeat', p)] },
        },
      },
      backoff: backoffState(plan, p, halted),
    };
  },
  guards: taskGuards,
  actions: taskActions,
};
