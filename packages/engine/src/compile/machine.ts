import { assign, raise, setup } from 'xstate';
import { StepErrorCode, type StepError, type TimerKind } from '@squadflow/shared';
import { backoffMs } from './backoff.ts';
import { compensatingState } from './compensation-state.ts';
import {
  cancelTimer,
  completeStep,
  emit,
  endAttempt,
  lifecycle,
  patchStep,
  registerWait,
  releaseAll,
  releaseStep,
  retriesLeft,
  skipStep,
  startAttempt,
  startBackoff,
  startTimer,
  timerFired,
  TIMEOUT_ERROR,
  unregisterWaits,
} from './context-ops.ts';
import { commandId, escalationKey } from './ids.ts';
import type { StepPlan, WorkflowPlan } from './plan.ts';
import { stepRegion } from './step-region.ts';
import type { ExecutionContext, LifecycleKind, MachineEvent, MachineInput, StepRecord } from './types.ts';

type Ctx = ExecutionContext;
/** Events are checked by type before a guard or action sees them; fields are read loosely. */
type AnyEvent = MachineEvent & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type P = { step: string };
/** Named actions take the step plus per-use extras (timer kind, onError). */
type Params = P & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Args = { context: Ctx; event: MachineEvent };

const SETTLED_STATES = new Set<StepRecord['status']>(['completed', 'skipped']);

/** An open breaker whose policy waits: the attempt is held, not counted as a retry. */
function waitsForBreaker(error: StepError): boolean {
  return error.code === StepErrorCode.CIRCUIT_OPEN && error.retryAfterMs !== undefined;
}

/** Whether a settled step ended the way a dependency's `on` asks. */
function outcomeIs(record: StepRecord, on: 'completed' | 'skipped' | 'signal' | 'timeout'): boolean {
  if (on === 'completed') return record.status === 'completed';
  if (on === 'skipped') return record.status === 'skipped';
  return record.outcome === on;
}

/** Builds the XState machine of one workflow version. Called once per registration. */
export function buildMachine(plan: WorkflowPlan) {
  const stepOf = (name: string): StepPlan => plan.steps.get(name)!;
  const ev = (event: MachineEvent): AnyEvent => event as AnyEvent;
  const rec = (ctx: Ctx, step: string): StepRecord => ctx.steps[step]!;
  const comp = (ctx: Ctx) => ctx.compensation!;
  const compStep = (ctx: Ctx): string => comp(ctx).queue[comp(ctx).index]!;
  const finish =
    (type: LifecycleKind) =>
    (ctx: Ctx): Ctx =>
      lifecycle({ ...(plan.concurrencyLimit ? emit(releaseAll(ctx), { kind: 'slot.release' }) : releaseAll(ctx)), endedAt: ctx.now }, type);
  const act = (fn: (ctx: Ctx, event: AnyEvent, params: Params) => Ctx) =>
    assign(({ context, event }: Args, params: Params) => fn(context, ev(event), params));
  const rootAct = (fn: (ctx: Ctx, event: AnyEvent) => Ctx) => assign(({ context, event }: Args) => fn(context, ev(event)));
  const currentFailure = (ctx: Ctx, event: AnyEvent, step: string, source: 'reply' | 'timeout'): boolean => {
    const attempt = rec(ctx, step).attempt;
    if (source === 'reply') return event.attempt === attempt && !event.ok;
    return event.timer === 'timeout' && event.attempt === attempt;
  };
  const failureError = (event: AnyEvent, source: 'reply' | 'timeout'): StepError =>
    source === 'reply' ? (event.error ?? { message: 'step failed', retryable: true }) : TIMEOUT_ERROR;
  const compRetriesLeft = (ctx: Ctx): boolean => comp(ctx).attempt <= stepOf(compStep(ctx)).retry.retries;

  const guards = {
    isPaused: ({ context }: Args) => context.paused === true,
    notPaused: ({ context }: Args) => context.paused !== true,
    depsSettled: ({ context }: Args, { step }: P) =>
      !context.paused && stepOf(step).deps.every((d) => SETTLED_STATES.has(rec(context, d.step).status)),
    branchNotTaken: ({ context }: Args, { step }: P) =>
      !context.paused &&
      stepOf(step).deps.every((d) => SETTLED_STATES.has(rec(context, d.step).status)) &&
      stepOf(step).deps.some((d) => d.on !== undefined && !outcomeIs(rec(context, d.step), d.on)),
    replyInvalidOutput: ({ context, event }: Args, { step }: P) =>
      ev(event).ok === true &&
      ev(event).attempt === rec(context, step).attempt &&
      stepOf(step).checkOutput!(ev(event).output ?? null).length > 0,
    isEscalationDue: ({ context, event }: Args, { step }: P) =>
      ev(event).timer === 'escalation' && ev(event).attempt === (rec(context, step).escalationLevel ?? 0) + 1,
    evalFailed: ({ event }: Args) => ev(event).error !== undefined,
    evalSkip: ({ event }: Args) => !ev(event).run,
    isTimer: ({ context, event }: Args, { step, timer }: P & { timer: TimerKind }) =>
      ev(event).timer === timer && ev(event).attempt === rec(context, step).attempt,
    currentAttempt: ({ context, event }: Args, { step }: P) => ev(event).attempt === rec(context, step).attempt,
    neverRan: ({ context }: Args, { step }: P) => rec(context, step).attempt === 0,
    retryUnevaluated: ({ context, event }: Args, { step }: P) =>
      rec(context, step).attempt === 0 && ev(event).action === 'retry' && (!ev(event).step || ev(event).step === step),
    compCurrentHeartbeat: ({ context, event }: Args) => ev(event).step === compStep(context) && ev(event).attempt === comp(context).attempt,
    replyOk: ({ context, event }: Args, { step }: P) => ev(event).ok === true && ev(event).attempt === rec(context, step).attempt,
    failCanRetry: ({ context, event }: Args, { step, source }: P & { source: 'reply' | 'timeout' }) =>
      currentFailure(context, ev(event), step, source) &&
      failureError(ev(event), source).retryable !== false &&
      (waitsForBreaker(failureError(ev(event), source)) || retriesLeft(context, stepOf(step))) &&
      !context.failure,
    failHalting: ({ context, event }: Args, { step, source }: P & { source: 'reply' | 'timeout' }) =>
      currentFailure(context, ev(event), step, source) && context.failure !== undefined,
    failCurrent: ({ context, event }: Args, { step, source }: P & { source: 'reply' | 'timeout' }) =>
      currentFailure(context, ev(event), step, source),
    resolveIs: ({ event }: Args, params: { step?: string; action: string }) =>
      ev(event).action === params.action && (!ev(event).step || !params.step || ev(event).step === params.step),
    shouldCompensate: ({ context }: Args) =>
      context.failure?.onError === 'compensate' && context.completed.some((s) => stepOf(s).compensate),
    compensateNothing: ({ context }: Args) => context.failure?.onError === 'compensate',
    hasFailed: ({ context }: Args) => context.failure !== undefined,
    compHasNext: ({ context }: Args) => comp(context).index + 1 < comp(context).queue.length,
    compEvalFailed: ({ context, event }: Args) => ev(event).step === compStep(context) && ev(event).error !== undefined,
    compEvalOk: ({ context, event }: Args) => ev(event).step === compStep(context) && ev(event).error === undefined,
    compReplyOk: ({ context, event }: Args) =>
      ev(event).step === compStep(context) && ev(event).attempt === comp(context).attempt && ev(event).ok === true,
    compCanRetry: ({ context, event }: Args) =>
      ev(event).step === compStep(context) &&
      ev(event).attempt === comp(context).attempt &&
      !ev(event).ok &&
      ev(event).error?.retryable !== false &&
      compRetriesLeft(context),
    compCurrent: ({ context, event }: Args) =>
      ev(event).step === compStep(context) && ev(event).attempt === comp(context).attempt && !ev(event).ok,
    compTimeoutRetry: ({ context, event }: Args) =>
      ev(event).step === compStep(context) &&
      ev(event).attempt === comp(context).attempt &&
      ev(event).timer === 'compensation-timeout' &&
      compRetriesLeft(context),
    compTimeoutCurrent: ({ context, event }: Args) =>
      ev(event).step === compStep(context) && ev(event).attempt === comp(context).attempt && ev(event).timer === 'compensation-timeout',
    compBackoffFired: ({ context, event }: Args) =>
      ev(event).step === compStep(context) && ev(event).attempt === comp(context).attempt && ev(event).timer === 'compensation-backoff',
  };
  const actions = {
    raiseSettled: raise({ type: 'settled' }),
    raiseHalt: raise({ type: 'halt' }),
    raiseCompNext: raise({ type: 'comp.next' }),
    started: rootAct((ctx) => lifecycle(ctx, 'execution.started')),
    evaluate: act((ctx, _e, { step }) => emit(patchStep(ctx, step, { status: 'evaluating' }), { kind: 'evaluate', step, purpose: 'step' })),
    applyEval: act((ctx, e, { step }) =>
      patchStep(ctx, step, { ...(e.input === undefined ? {} : { input: e.input }), ...(e.key === undefined ? {} : { key: e.key }) }),
    ),
    evalError: act((ctx, e, { step }) =>
      patchStep(ctx, step, { error: { message: String(e.error), code: StepErrorCode.EXPRESSION, retryable: false }, startedAt: ctx.now }),
    ),
    skipCondition: act((ctx, e, { step }) => skipStep(ctx, step, e.reason ?? 'condition is false')),
    skipBranch: act((ctx, _e, { step }) => {
      const missed = stepOf(step).deps.find((d) => d.on !== undefined && !outcomeIs(rec(ctx, d.step), d.on))!;
      return skipStep(ctx, step, `branch "${missed.step}: ${missed.on}" not taken`);
    }),
    startDelay: act((ctx, _e, { step }) =>
      startTimer(patchStep(ctx, step, { status: 'delayed', startedAt: ctx.now }), step, 0, 'delay', stepOf(step).delayMs),
    ),
    timerFired: act((ctx, e, { step, timer }) => timerFired(ctx, step, e.attempt ?? 0, timer)),
    startAttempt: act((ctx, _e, { step }) => startAttempt(ctx, stepOf(step))),
    succeed: act((ctx, e, { step }) => {
      const attempt = rec(ctx, step).attempt;
      return completeStep(endAttempt(cancelTimer(ctx, step, attempt, 'timeout'), step, 'completed'), step, e.output ?? null);
    }),
    failAttempt: act((ctx, e, { step }) => {
      const attempt = rec(ctx, step).attempt;
      return endAttempt(cancelTimer(ctx, step, attempt, 'timeout'), step, 'failed', failureError(e, 'reply'));
    }),
    timeoutAttempt: act((ctx, _e, { step }) =>
      endAttempt(timerFired(ctx, step, rec(ctx, step).attempt, 'timeout'), step, 'timed_out', TIMEOUT_ERROR),
    ),
    // A heartbeat re-arms the attempt's timeout (same timer id, later due time).
    heartbeat: act((ctx, e, { step }) => {
      const attempt = rec(ctx, step).attempt;
      const next = patchStep(ctx, step, e.progress === undefined ? {} : { progress: e.progress });
      return startTimer(next, step, attempt, 'timeout', stepOf(step).timeoutMs ?? 30_000);
    }),
    compHeartbeat: rootAct((ctx, e) => {
      const step = compStep(ctx);
      const next = patchStep(ctx, step, e.progress === undefined ? {} : { progress: e.progress });
      return startTimer(next, step, comp(ctx).attempt, 'compensation-timeout', stepOf(step).timeoutMs ?? 30_000);
    }),
    startBackoff: act((ctx, _e, { step }) => startBackoff(ctx, stepOf(step))),
    failStep: act((ctx, _e, { step, onError }) => {
      const failed = patchStep(releaseStep(ctx, step), step, { status: 'failed', endedAt: ctx.now });
      const error = rec(failed, step).error;
      const withFailure = failed.failure ? failed : { ...failed, failure: { step, onError, ...(error ? { error } : {}) } };
      return lifecycle(withFailure, 'step.failed', step, error);
    }),
    skipFailed: act((ctx, _e, { step }) =>
      skipStep(lifecycle(ctx, 'step.failed', step, rec(ctx, step).error), step, 'failed; onError: skip'),
    ),
    skipResolved: act((ctx, _e, { step }) => skipStep(ctx, step, 'skipped by operator')),
    escalate: act((ctx, _e, { step }) =>
      lifecycle(
        registerWait(patchStep(ctx, step, { status: 'escalated' }), escalationKey(ctx.executionId), step, 'escalation'),
        'execution.escalated',
        step,
        rec(ctx, step).error,
      ),
    ),
    resolveEscalation: act((ctx, _e, { step }) => unregisterWaits(ctx, step)),
    halt: act((ctx, _e, { step }) => {
      const status = rec(ctx, step).status;
      const released = releaseStep(ctx, step);
      return patchStep(released, step, { status: status === 'running' || status === 'backoff' ? 'failed' : 'halted', endedAt: ctx.now });
    }),
    startWaiting: act((ctx, _e, { step }) => {
      const r = rec(ctx, step);
      const plan = stepOf(step);
      const human = plan.assignee === undefined ? {} : { assignee: plan.assignee, escalationLevel: 0 };
      let next = registerWait(
        patchStep(ctx, step, { status: 'waiting', startedAt: r.startedAt ?? ctx.now, ...human }),
        r.key!,
        step,
        'wait',
        plan.lookbackMs,
      );
      if (plan.timeoutMs !== undefined) next = startTimer(next, step, 0, 'wait', plan.timeoutMs);
      const first = plan.escalations[0];
      return first ? startTimer(next, step, 1, 'escalation', first.afterMs) : next;
    }),
    // A human task nobody decided: the next person in the chain is asked; a lifecycle event tells notifiers.
    escalateHumanTask: act((ctx, e, { step }) => {
      const plan = stepOf(step);
      const level = e.attempt as number;
      const target = plan.escalations[level - 1]!;
      let next = timerFired(ctx, step, level, 'escalation');
      next = patchStep(next, step, { assignee: target.to, escalationLevel: level });
      next = lifecycle(next, 'step.escalated', step, { to: target.to, level, key: rec(ctx, step).key });
      const following = plan.escalations[level];
      return following ? startTimer(next, step, level + 1, 'escalation', following.afterMs - target.afterMs) : next;
    }),
    invalidOutput: act((ctx, e, { step }) => {
      const attempt = rec(ctx, step).attempt;
      const issues = stepOf(step).checkOutput!(e.output ?? null);
      const error = {
        message: `output does not match outputSchema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        code: StepErrorCode.INVALID_OUTPUT,
        retryable: false,
      };
      return endAttempt(cancelTimer(ctx, step, attempt, 'timeout'), step, 'failed', error);
    }),
    suspendStep: act((ctx, _e, { step }) =>
      lifecycle({ ...patchStep(ctx, step, { status: 'paused' }), paused: true }, 'execution.paused', undefined, {
        step,
        error: rec(ctx, step).error,
      }),
    ),
    receiveSignal: act((ctx, e, { step }) =>
      completeStep(unregisterWaits(cancelTimer(ctx, step, 0, 'wait'), step), step, e.data ?? null, { outcome: 'signal' }),
    ),
    waitTimedOut: act((ctx, _e, { step }) =>
      completeStep(unregisterWaits(timerFired(ctx, step, 0, 'wait'), step), step, null, { outcome: 'timeout' }),
    ),
    pause: rootAct((ctx, e) =>
      lifecycle({ ...ctx, paused: true }, 'execution.paused', undefined, e.reason ? { reason: e.reason } : undefined),
    ),
    resume: rootAct((ctx) => emit(lifecycle({ ...ctx, paused: false }, 'execution.resumed'), { kind: 'timers.resume' })),
    raiseResumed: raise({ type: 'resumed' }),
    setCancelReason: rootAct((ctx, e) => ({ ...ctx, ...(e.reason ? { cancelReason: e.reason } : {}) })),
    finishCompleted: rootAct(finish('execution.completed')),
    finishFailed: rootAct(finish('execution.failed')),
    finishCompensated: rootAct(finish('execution.compensated')),
    finishCancelled: rootAct(finish('execution.cancelled')),
    compStart: rootAct((ctx) => ({
      ...ctx,
      compensation: { queue: [...ctx.completed].reverse().filter((s) => stepOf(s).compensate), index: 0, attempt: 0 },
    })),
    compEvaluate: rootAct((ctx) =>
      emit(patchStep(ctx, compStep(ctx), { status: 'compensating' }), { kind: 'evaluate', step: compStep(ctx), purpose: 'compensation' }),
    ),
    compApplyEval: rootAct((ctx, e) => ({ ...ctx, compensation: { ...comp(ctx), input: e.input } })),
    compEvalError: rootAct((ctx, e) =>
      patchStep(ctx, compStep(ctx), { error: { message: String(e.error), code: StepErrorCode.EXPRESSION, retryable: false } }),
    ),
    compDispatch: rootAct((ctx) => {
      const step = compStep(ctx);
      const plan = stepOf(step);
      const attempt = comp(ctx).attempt + 1;
      const timeoutMs = plan.timeoutMs ?? 30_000;
      const r = rec(ctx, step);
      let next: Ctx = { ...ctx, compensation: { ...comp(ctx), attempt } };
      next = patchStep(next, step, { attempts: [...r.attempts, { attempt, startedAt: ctx.now, status: 'running', compensation: true }] });
      next = emit(next, {
        kind: 'dispatch',
        id: commandId(ctx.executionId, step, attempt, true),
        step,
        attempt,
        squad: plan.compensate!.squad,
        action: plan.compensate!.action,
        compensation: true,
        input: comp(ctx).input ?? { context: ctx.input, output: r.output ?? null },
        deadline: ctx.now + timeoutMs,
      });
      return startTimer(next, step, attempt, 'compensation-timeout', timeoutMs);
    }),
    compSucceed: rootAct((ctx) => {
      const step = compStep(ctx);
      const next = endAttempt(cancelTimer(ctx, step, comp(ctx).attempt, 'compensation-timeout'), step, 'completed');
      return patchStep(next, step, { status: 'compensated' });
    }),
    compFailAttempt: rootAct((ctx, e) => {
      const step = compStep(ctx);
      return endAttempt(
        cancelTimer(ctx, step, comp(ctx).attempt, 'compensation-timeout'),
        step,
        'failed',
        e.error ?? { message: 'compensation failed', retryable: true },
      );
    }),
    compTimeoutAttempt: rootAct((ctx) => {
      const step = compStep(ctx);
      return endAttempt(timerFired(ctx, step, comp(ctx).attempt, 'compensation-timeout'), step, 'timed_out', TIMEOUT_ERROR);
    }),
    compBackoff: rootAct((ctx) => {
      const step = compStep(ctx);
      const wait = backoffMs(stepOf(step).retry, comp(ctx).attempt, `${ctx.executionId}.${step}.c`);
      return startTimer(ctx, step, comp(ctx).attempt, 'compensation-backoff', wait);
    }),
    compBackoffFired: rootAct((ctx) => timerFired(ctx, compStep(ctx), comp(ctx).attempt, 'compensation-backoff')),
    compEscalate: rootAct((ctx) => {
      const step = compStep(ctx);
      const next = registerWait(patchStep(ctx, step, { status: 'escalated' }), escalationKey(ctx.executionId), step, 'escalation');
      return lifecycle(next, 'execution.escalated', step, { compensation: true, error: rec(ctx, step).error });
    }),
    compResolved: rootAct((ctx) => unregisterWaits(ctx, compStep(ctx))),
    compRetry: rootAct((ctx) => patchStep(ctx, compStep(ctx), { status: 'compensating' })),
    compSkipped: rootAct((ctx) => patchStep(ctx, compStep(ctx), { status: 'completed', reason: 'compensation skipped by operator' })),
    compAbort: rootAct((ctx) => ({ ...ctx, failure: { ...ctx.failure!, onError: 'abort' } })),
    compNext: rootAct((ctx) => ({ ...ctx, compensation: { queue: comp(ctx).queue, index: comp(ctx).index + 1, attempt: 0 } })),
  };
  // The config is generated from the plan, so XState cannot infer the names
  // of actions and guards it uses; the loose casts end there, and the chart's
  // behaviour is covered by the workflow tests.
  return setup({
    types: {} as { context: Ctx; events: MachineEvent; input: MachineInput },
    guards: guards as any, // eslint-disable-line @typescript-eslint/no-explicit-any
    actions: actions as any, // eslint-disable-line @typescript-eslint/no-explicit-any
  }).createMachine({
    id: 'workflow',
    context: ({ input }: { input: MachineInput }) => initialContext(plan, input),
    entry: ['started'],
    initial: 'running',
    on: {
      cancel: { target: '.cancelled', actions: ['setCancelReason'] },
      pause: { guard: 'notPaused', actions: ['pause'] },
      resume: { guard: 'isPaused', actions: ['resume', 'raiseResumed'] },
    },
    states: {
      running: {
        type: 'parallel',
        states: Object.fromEntries(plan.order.map((name) => [name, stepRegion(stepOf(name))])),
        onDone: [
          { guard: 'shouldCompensate', target: 'compensating' },
          { guard: 'compensateNothing', target: 'compensated' },
          { guard: 'hasFailed', target: 'failed' },
          { target: 'completed' },
        ],
      },
      compensating: compensatingState(),
      completed: { type: 'final', entry: ['finishCompleted'] },
      failed: { type: 'final', entry: ['finishFailed'] },
      compensated: { type: 'final', entry: ['finishCompensated'] },
      cancelled: { type: 'final', entry: ['finishCancelled'] },
    },
  } as any); // eslint-disable-line @typescript-eslint/no-explicit-any -- the config is generated; its shape is tested, not inferred
}

export type WorkflowMachine = ReturnType<typeof buildMachine>;

function initialContext(plan: WorkflowPlan, input: MachineInput): Ctx {
  const steps: Record<string, StepRecord> = {};
  for (const name of plan.order)
    steps[name] = { status: plan.steps.get(name)!.deps.length ? 'blocked' : 'evaluating', attempt: 0, attempts: [] };
  return {
    executionId: input.executionId,
    workflow: input.workflow,
    version: input.version,
    input: input.input,
    steps,
    completed: [],
    timers: [],
    waits: [],
    outbox: [],
    now: input.at,
    startedAt: input.at,
    ...(input.priority === undefined ? {} : { priority: input.priority }),
  };
}
