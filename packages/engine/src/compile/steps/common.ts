import { StepErrorCode, type TimerKind } from '@squadflow/shared';
import {
  emit,
  lifecycle,
  patchStep,
  registerWait,
  releaseStep,
  skipStep,
  startTimer,
  timerFired,
  unregisterWaits,
} from '../context-ops.ts';
import { internalEvent, isStepEvent, stepEventOf } from '../events.ts';
import { escalationKey } from '../ids.ts';
import { act, raiseInternal, type Ctx, type GuardArgs, type StepParams } from '../machine-kit.ts';
import type { Failure, StepRecord } from '../types.ts';
import type { BasePlan, Plans } from './kind.ts';

/**
 * The named guards and actions of the states every step region has
 * (region.ts): dependencies, evaluation, delay, halting, and what a step's
 * `onError` does when it failed for good.
 */

const SETTLED_STATES = new Set<StepRecord['status']>(['completed', 'skipped']);

/** Whether a settled step ended the way a dependency's `on` asks. */
function outcomeIs(record: StepRecord, on: 'completed' | 'skipped' | 'signal' | 'timeout'): boolean {
  if (on === 'completed') return record.status === 'completed';
  if (on === 'skipped') return record.status === 'skipped';
  return record.outcome === on;
}

const rec = (ctx: Ctx, step: string): StepRecord => ctx.steps[step]!;
/** No attempt started since the step was (re)set: at the execution's start, or since an operator's rewind. */
const neverRan = (record: StepRecord): boolean => record.attempt === (record.attemptBase ?? 0);
const depsSettled = (ctx: Ctx, plan: BasePlan): boolean => plan.deps.every((d) => SETTLED_STATES.has(rec(ctx, d.step).status));
/** The first dependency whose required outcome did not happen (a branch not taken). */
const missedBranch = (ctx: Ctx, plan: BasePlan) => plan.deps.find((d) => d.on !== undefined && !outcomeIs(rec(ctx, d.step), d.on));

export function commonGuards(plans: Plans) {
  return {
    depsSettled: ({ context }: GuardArgs, { step }: StepParams) => !context.paused && depsSettled(context, plans.step(step)),
    branchNotTaken: ({ context }: GuardArgs, { step }: StepParams) =>
      !context.paused && depsSettled(context, plans.step(step)) && missedBranch(context, plans.step(step)) !== undefined,
    evalFailed: ({ event }: GuardArgs) => isStepEvent(event, 'eval') && event.error !== undefined,
    evalSkip: ({ event }: GuardArgs) => isStepEvent(event, 'eval') && !event.run,
    isTimer: ({ context, event }: GuardArgs, { step, timer }: StepParams & { timer: TimerKind }) =>
      isStepEvent(event, 'timer') && event.timer === timer && event.attempt === rec(context, step).attempt,
    neverRan: ({ context }: GuardArgs, { step }: StepParams) => neverRan(rec(context, step)),
    retryUnevaluated: ({ context, event }: GuardArgs, { step }: StepParams) =>
      neverRan(rec(context, step)) && event.type === 'resolve' && event.action === 'retry' && (!event.step || event.step === step),
    resolveIs: ({ event }: GuardArgs, params: { step?: string; action: 'retry' | 'skip' | 'abort' }) =>
      event.type === 'resolve' && event.action === params.action && (!event.step || !params.step || event.step === params.step),
  };
}

export function commonActions(plans: Plans) {
  return {
    raiseSettled: raiseInternal(internalEvent.settled),
    raiseHalt: raiseInternal(internalEvent.halt),
    evaluate: act<StepParams>((ctx, _e, { step }) =>
      emit(patchStep(ctx, step, { status: 'evaluating' }), { kind: 'evaluate', step, purpose: 'step' }),
    ),
    applyEval: act<StepParams>((ctx, event, { step }) => {
      const e = stepEventOf(event, 'eval');
      return patchStep(ctx, step, { ...(e.input === undefined ? {} : { input: e.input }), ...(e.key === undefined ? {} : { key: e.key }) });
    }),
    evalError: act<StepParams>((ctx, event, { step }) => {
      const e = stepEventOf(event, 'eval');
      return patchStep(ctx, step, {
        error: { message: String(e.error), code: e.code ?? StepErrorCode.EXPRESSION, retryable: false },
        startedAt: ctx.now,
      });
    }),
    skipCondition: act<StepParams>((ctx, event, { step }) =>
      skipStep(ctx, step, stepEventOf(event, 'eval').reason ?? 'condition is false'),
    ),
    skipBranch: act<StepParams>((ctx, _e, { step }) => {
      const missed = missedBranch(ctx, plans.step(step))!;
      return skipStep(ctx, step, `branch "${missed.step}: ${missed.on}" not taken`);
    }),
    startDelay: act<StepParams>((ctx, _e, { step }) =>
      // Keyed by the attempt counter (0 until a rewind): the `isTimer` guard compares the two.
      startTimer(
        patchStep(ctx, step, { status: 'delayed', startedAt: ctx.now }),
        step,
        rec(ctx, step).attempt,
        'delay',
        plans.step(step).delayMs,
      ),
    ),
    timerFired: act<StepParams & { timer: TimerKind }>((ctx, event, { step, timer }) =>
      timerFired(ctx, step, stepEventOf(event, 'timer').attempt, timer),
    ),
    halt: act<StepParams>((ctx, _e, { step }) => {
      const status = rec(ctx, step).status;
      const released = releaseStep(ctx, step);
      return patchStep(released, step, { status: status === 'running' || status === 'backoff' ? 'failed' : 'halted', endedAt: ctx.now });
    }),
    failStep: act<StepParams & { onError: Failure['onError'] }>((ctx, _e, { step, onError }) => {
      const failed = patchStep(releaseStep(ctx, step), step, { status: 'failed', endedAt: ctx.now });
      const error = rec(failed, step).error;
      const withFailure = failed.failure ? failed : { ...failed, failure: { step, onError, ...(error ? { error } : {}) } };
      return lifecycle(withFailure, 'step.failed', step, error);
    }),
    skipFailed: act<StepParams>((ctx, _e, { step }) =>
      skipStep(lifecycle(ctx, 'step.failed', step, rec(ctx, step).error), step, 'failed; onError: skip'),
    ),
    skipResolved: act<StepParams>((ctx, _e, { step }) => skipStep(ctx, step, 'skipped by operator')),
    escalate: act<StepParams>((ctx, _e, { step }) => {
      const target = plans.step(step).escalationTarget;
      const parked = patchStep(ctx, step, { status: 'escalated', ...(target === undefined ? {} : { escalationTarget: target }) });
      // The error's fields stay at the top level (the event's shape before it named a target).
      const data = { ...rec(ctx, step).error, ...(target === undefined ? {} : { target }) };
      return lifecycle(registerWait(parked, escalationKey(ctx.executionId), step, 'escalation'), 'execution.escalated', step, data);
    }),
    resolveEscalation: act<StepParams>((ctx, _e, { step }) => unregisterWaits(ctx, step)),
    suspendStep: act<StepParams>((ctx, _e, { step }) =>
      lifecycle({ ...patchStep(ctx, step, { status: 'paused' }), paused: true }, 'execution.paused', undefined, {
        step,
        error: rec(ctx, step).error,
      }),
    ),
  };
}
