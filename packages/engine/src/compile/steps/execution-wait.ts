import { compileExpression, ExecutionIdSchema, SquadflowError, StepErrorCode, type ExpressionScope } from '@squadflow/shared';
import { cancelTimer, completeStep, emit, endAttempt, patchStep, startTimer, timerFired } from '../context-ops.ts';
import { isStepEvent, stepEventOf, stepEventType } from '../events.ts';
import type { MachineState } from '../machine-names.ts';
import { act, named, type Ctx, type GuardArgs, type StepParams } from '../machine-kit.ts';
import type { BasePlan, Plans, RegionParts } from './kind.ts';

/**
 * A wait on another execution (`{ type: "wait", execution: <expression> }`):
 * the step asks that execution to tell it when it ends (a `watch` control;
 * one that already ended is answered from its record at once), and
 * completes when it completed, with `{ executionId, status, output }` as its
 * output. Any other end, an unknown execution or the timeout fails the step
 * (`EXECUTION_NOT_COMPLETED`, `TIMEOUT`; not retried): its `onError`
 * decides, so `skip` gives a branch (`on: completed` / `on: skipped`).
 *
 *   waiting -> completed | (onError, see region.ts)
 */
export interface ExecutionWaitFields {
  timeoutMs: number | undefined;
}

const watchesExecution = (plan: BasePlan): plan is BasePlan & ExecutionWaitFields & { execution: string } => 'execution' in plan;

/** Evaluates the step's `execution` expression into the id of the execution to wait for. */
export async function watchedExecution(expression: string, scope: ExpressionScope): Promise<{ key: string }> {
  const id = await compileExpression(expression).evaluate(scope);
  const parsed = ExecutionIdSchema.safeParse(id);
  if (!parsed.success)
    throw new SquadflowError('INVALID_EXPRESSION', `"execution" gave ${JSON.stringify(id) ?? 'nothing'}, not an execution id`);
  return { key: parsed.data };
}

/** The `waiting` state of a wait on an execution. */
export function watchingState(plan: BasePlan, { p, exhausted, halted }: RegionParts): Record<string, MachineState> {
  return {
    waiting: {
      entry: [named('startWatching', p)],
      on: {
        [stepEventType('reply', plan.name)]: [
          { guard: named('watchedCompleted', p), target: 'completed', actions: [named('watchCompleted', p), 'raiseSettled'] },
          { guard: named('watchedEnded', p), ...exhausted([named('watchEndedOtherwise', p)]) },
        ],
        [stepEventType('timer', plan.name)]: {
          guard: named('isTimer', { ...p, timer: 'wait' }),
          ...exhausted([named('watchTimedOut', p)]),
        },
        halt: halted,
      },
    },
  };
}

export function executionWaitGuards() {
  const current = (ctx: Ctx, e: GuardArgs['event'], step: string) => isStepEvent(e, 'reply') && e.attempt === ctx.steps[step]!.attempt;
  return {
    watchedCompleted: ({ context, event }: GuardArgs, { step }: StepParams) =>
      current(context, event, step) && stepEventOf(event, 'reply').ok,
    watchedEnded: ({ context, event }: GuardArgs, { step }: StepParams) => current(context, event, step),
  };
}

export function executionWaitActions(plans: Plans) {
  const planOf = (step: string) => plans.of(step, watchesExecution);
  return {
    startWatching: act<StepParams>((ctx, _e, { step }) => {
      const rec = ctx.steps[step]!;
      const attempt = rec.attempt + 1;
      const plan = planOf(step);
      const next = emit(
        patchStep(ctx, step, {
          status: 'waiting',
          attempt,
          startedAt: rec.startedAt ?? ctx.now,
          attempts: [...rec.attempts, { attempt, startedAt: ctx.now, status: 'running' }],
        }),
        { kind: 'watch', target: rec.key!, step, attempt },
      );
      return plan.timeoutMs === undefined ? next : startTimer(next, step, attempt, 'wait', plan.timeoutMs);
    }),
    watchCompleted: act<StepParams>((ctx, event, { step }) => {
      const ended = endAttempt(cancelWait(ctx, step), step, 'completed');
      return completeStep(ended, step, stepEventOf(event, 'reply').output ?? null);
    }),
    watchEndedOtherwise: act<StepParams>((ctx, event, { step }) => {
      const reply = stepEventOf(event, 'reply');
      const error = {
        message: reply.error?.message ?? 'the execution did not complete',
        code: StepErrorCode.EXECUTION_NOT_COMPLETED,
        retryable: false,
      };
      return patchStep(endAttempt(cancelWait(ctx, step), step, 'failed', error), step, { output: reply.output ?? null });
    }),
    watchTimedOut: act<StepParams>((ctx, _e, { step }) => {
      const error = { message: 'the watched execution did not end in time', code: StepErrorCode.TIMEOUT, retryable: false };
      return endAttempt(timerFired(ctx, step, ctx.steps[step]!.attempt, 'wait'), step, 'timed_out', error);
    }),
  };
}

const cancelWait = (ctx: Ctx, step: string): Ctx => cancelTimer(ctx, step, ctx.steps[step]!.attempt, 'wait');
