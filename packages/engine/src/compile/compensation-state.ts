import { StepErrorCode } from '@squadflow/shared';
import { backoffMs } from './backoff.ts';
import {
  cancelTimer,
  emit,
  endAttempt,
  patchStep,
  registerWait,
  startTimer,
  timerFired,
  TIMEOUT_ERROR,
  lifecycle,
  unregisterWaits,
} from './context-ops.ts';
import { internalEvent, type MachineEvent } from './events.ts';
import { commandId, escalationKey } from './ids.ts';
import type { MachineState } from './machine-names.ts';
import { act, named, raiseInternal, type Ctx, type GuardArgs } from './machine-kit.ts';
import type { Plans } from './steps/kind.ts';
import { isTaskPlan, type TaskPlan } from './steps/task.ts';
import { isWorkflowPlan } from './steps/workflow.ts';

/**
 * The saga: after a step with `onError: compensate` fails and the running
 * steps have settled, the compensations of completed steps run one at a
 * time, in reverse completion order. Each compensation has the step's retry
 * policy and timeout; one that still fails escalates, and an operator's
 * signal retries it, skips it, or aborts (the execution ends `failed`).
 */
export function compensatingState(): MachineState {
  const next = [
    { guard: 'compHasNext' as const, target: 'preparing', reenter: true, actions: ['compNext' as const] },
    { target: '#workflow.compensated' },
  ];
  return {
    initial: 'preparing',
    entry: ['compStart'],
    states: {
      preparing: {
        entry: ['compEvaluate'],
        on: {
          ceval: [
            { guard: 'compEvalFailed', target: 'escalated', actions: ['compEvalError'] },
            { guard: 'compEvalOk', target: 'running', actions: ['compApplyEval'] },
          ],
        },
      },
      running: {
        entry: ['compDispatch'],
        on: {
          creply: [
            { guard: 'compReplyOk', target: 'done', actions: ['compSucceed'] },
            { guard: 'compCanRetry', target: 'backoff', actions: ['compFailAttempt'] },
            { guard: 'compCurrent', target: 'escalated', actions: ['compFailAttempt'] },
          ],
          cheartbeat: { guard: 'compCurrentHeartbeat', actions: ['compHeartbeat'] },
          ctimer: [
            { guard: 'compTimeoutRetry', target: 'backoff', actions: ['compTimeoutAttempt'] },
            { guard: 'compTimeoutCurrent', target: 'escalated', actions: ['compTimeoutAttempt'] },
          ],
        },
      },
      backoff: {
        entry: ['compBackoff'],
        on: { ctimer: { guard: 'compBackoffFired', target: 'running', actions: ['compBackoffFired'] } },
      },
      escalated: {
        entry: ['compEscalate'],
        on: {
          resolve: [
            { guard: named('resolveIs', { action: 'retry' }), target: 'running', actions: ['compResolved', 'compRetry'] },
            { guard: named('resolveIs', { action: 'skip' }), target: 'done', actions: ['compResolved', 'compSkipped'] },
            { guard: named('resolveIs', { action: 'abort' }), target: '#workflow.failed', actions: ['compResolved', 'compAbort'] },
          ],
        },
      },
      // A transient state would need an eventless transition; instead `done`
      // decides on the same internal event the saga raises for itself.
      done: {
        entry: ['raiseCompNext'],
        // While paused, the next compensation waits for the resume.
        on: { 'comp.next': [{ guard: 'isPaused' }, ...next], resumed: next },
      },
    },
  };
}

const comp = (ctx: Ctx) => ctx.compensation!;
/** The step being compensated now. */
const compStep = (ctx: Ctx): string => comp(ctx).queue[comp(ctx).index]!;
/** Whether a saga event is about the current compensation (and, with `attempt`, its current attempt). */
const isCurrent = (ctx: Ctx, event: MachineEvent): boolean =>
  (event.type === 'creply' || event.type === 'ctimer' || event.type === 'cheartbeat' || event.type === 'ceval') &&
  event.step === compStep(ctx);
const isCurrentAttempt = (ctx: Ctx, event: MachineEvent): boolean =>
  (event.type === 'creply' || event.type === 'ctimer' || event.type === 'cheartbeat') &&
  event.step === compStep(ctx) &&
  event.attempt === comp(ctx).attempt;

export function compensationGuards(plans: Plans) {
  const taskOf = (step: string): TaskPlan => plans.of(step, isTaskPlan);
  // A child's compensation is not repeated: a child whose saga failed has ended, a second request changes nothing.
  const retriesLeft = (ctx: Ctx): boolean => {
    const plan = plans.step(compStep(ctx));
    return !isWorkflowPlan(plan) && comp(ctx).attempt <= taskOf(compStep(ctx)).retry.retries;
  };
  return {
    compHasNext: ({ context }: GuardArgs) => comp(context).index + 1 < comp(context).queue.length,
    compEvalFailed: ({ context, event }: GuardArgs) => event.type === 'ceval' && isCurrent(context, event) && event.error !== undefined,
    compEvalOk: ({ context, event }: GuardArgs) => event.type === 'ceval' && isCurrent(context, event) && event.error === undefined,
    compCurrentHeartbeat: ({ context, event }: GuardArgs) => event.type === 'cheartbeat' && isCurrentAttempt(context, event),
    compReplyOk: ({ context, event }: GuardArgs) => event.type === 'creply' && isCurrentAttempt(context, event) && event.ok,
    compCanRetry: ({ context, event }: GuardArgs) =>
      event.type === 'creply' && isCurrentAttempt(context, event) && !event.ok && event.error?.retryable !== false && retriesLeft(context),
    compCurrent: ({ context, event }: GuardArgs) => event.type === 'creply' && isCurrentAttempt(context, event) && !event.ok,
    compTimeoutRetry: ({ context, event }: GuardArgs) =>
      event.type === 'ctimer' && isCurrentAttempt(context, event) && event.timer === 'compensation-timeout' && retriesLeft(context),
    compTimeoutCurrent: ({ context, event }: GuardArgs) =>
      event.type === 'ctimer' && isCurrentAttempt(context, event) && event.timer === 'compensation-timeout',
    compBackoffFired: ({ context, event }: GuardArgs) =>
      event.type === 'ctimer' && isCurrentAttempt(context, event) && event.timer === 'compensation-backoff',
  };
}

export function compensationActions(plans: Plans) {
  const taskOf = (step: string): TaskPlan => plans.of(step, isTaskPlan);
  return {
    raiseCompNext: raiseInternal(internalEvent.compNext),
    compStart: act((ctx) => ({
      ...ctx,
      compensation: { queue: [...ctx.completed].reverse().filter((s) => plans.compensable(s)), index: 0, attempt: 0 },
    })),
    compEvaluate: act((ctx) =>
      emit(patchStep(ctx, compStep(ctx), { status: 'compensating' }), { kind: 'evaluate', step: compStep(ctx), purpose: 'compensation' }),
    ),
    compApplyEval: act((ctx, e) => ({ ...ctx, compensation: { ...comp(ctx), input: e.type === 'ceval' ? e.input : undefined } })),
    compEvalError: act((ctx, e) =>
      patchStep(ctx, compStep(ctx), {
        error: {
          message: String(e.type === 'ceval' ? e.error : undefined),
          code: (e.type === 'ceval' ? e.code : undefined) ?? StepErrorCode.EXPRESSION,
          retryable: false,
        },
      }),
    ),
    compDispatch: act((ctx) => {
      const step = compStep(ctx);
      const attempt = comp(ctx).attempt + 1;
      const r = ctx.steps[step]!;
      let next: Ctx = { ...ctx, compensation: { ...comp(ctx), attempt } };
      next = patchStep(next, step, { attempts: [...r.attempts, { attempt, startedAt: ctx.now, status: 'running', compensation: true }] });
      const child = plans.step(step);
      if (isWorkflowPlan(child)) {
        // The completed child runs its own saga and tells this attempt when it ends (docs/child-workflows.md).
        next = emit(next, { kind: 'child.compensate', childId: r.child!, step, attempt });
        return child.timeoutMs === undefined ? next : startTimer(next, step, attempt, 'compensation-timeout', child.timeoutMs);
      }
      const plan = taskOf(step);
      const timeoutMs = plan.timeoutMs;
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
    compSucceed: act((ctx) => {
      const step = compStep(ctx);
      const next = endAttempt(cancelTimer(ctx, step, comp(ctx).attempt, 'compensation-timeout'), step, 'completed');
      return patchStep(next, step, { status: 'compensated' });
    }),
    compFailAttempt: act((ctx, e) => {
      const step = compStep(ctx);
      const error = (e.type === 'creply' ? e.error : undefined) ?? { message: 'compensation failed', retryable: true };
      return endAttempt(cancelTimer(ctx, step, comp(ctx).attempt, 'compensation-timeout'), step, 'failed', error);
    }),
    compTimeoutAttempt: act((ctx) => {
      const step = compStep(ctx);
      return endAttempt(timerFired(ctx, step, comp(ctx).attempt, 'compensation-timeout'), step, 'timed_out', TIMEOUT_ERROR);
    }),
    compHeartbeat: act((ctx, e) => {
      const step = compStep(ctx);
      const progress = e.type === 'cheartbeat' ? e.progress : undefined;
      const next = patchStep(ctx, step, progress === undefined ? {} : { progress });
      return startTimer(next, step, comp(ctx).attempt, 'compensation-timeout', taskOf(step).timeoutMs);
    }),
    compBackoff: act((ctx) => {
      const step = compStep(ctx);
      const wait = backoffMs(taskOf(step).retry, comp(ctx).attempt, `${ctx.executionId}.${step}.c`);
      return startTimer(ctx, step, comp(ctx).attempt, 'compensation-backoff', wait);
    }),
    compBackoffFired: act((ctx) => timerFired(ctx, compStep(ctx), comp(ctx).attempt, 'compensation-backoff')),
    compEscalate: act((ctx) => {
      const step = compStep(ctx);
      // Who resolves it: the failed step's target (its onError started the saga), else the compensated step's own.
      const failed = ctx.failure ? plans.step(ctx.failure.step).escalationTarget : undefined;
      const target = failed ?? plans.step(step).escalationTarget;
      const withTarget = target === undefined ? {} : { escalationTarget: target };
      const next = registerWait(
        patchStep(ctx, step, { status: 'escalated', ...withTarget }),
        escalationKey(ctx.executionId),
        step,
        'escalation',
      );
      return lifecycle(next, 'execution.escalated', step, {
        compensation: true,
        error: ctx.steps[step]!.error,
        ...(target === undefined ? {} : { target }),
      });
    }),
    compResolved: act((ctx) => unregisterWaits(ctx, compStep(ctx))),
    compRetry: act((ctx) => patchStep(ctx, compStep(ctx), { status: 'compensating' })),
    compSkipped: act((ctx) => patchStep(ctx, compStep(ctx), { status: 'completed', reason: 'compensation skipped by operator' })),
    // A reopened child (execution-links.ts) compensates without a failure of its own.
    compAbort: act((ctx) => ({ ...ctx, failure: { step: compStep(ctx), ...ctx.failure, onError: 'abort' } })),
    compNext: act((ctx) => ({ ...ctx, compensation: { queue: comp(ctx).queue, index: comp(ctx).index + 1, attempt: 0 } })),
  };
}
