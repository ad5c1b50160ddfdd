import { z } from 'zod';
import { durationMs, SquadflowError, WorkflowStepSchema, type RetryPolicy } from '@squadflow/shared';
import { addChild, cancelTimer, completeStep, dropChildren, emit, endAttempt, patchStep, startTimer } from '../context-ops.ts';
import { stepEventOf, stepEventType } from '../events.ts';
import { childExecutionId } from '../ids.ts';
import { act, named, type Ctx, type StepParams } from '../machine-kit.ts';
import type { BasePlan, Plans, StepKind } from './kind.ts';
import { backoffState, mapInput, retryRoutes } from './task.ts';

/**
 * A workflow step: starts another workflow as a child execution and waits
 * for it to end. The child's id derives from (execution, step, attempt), so a
 * replayed start finds the child instead of starting another. The child tells
 * this step's attempt when it ends, with a reply on this execution's inbound
 * subject (written in the child's outbox with its final snapshot, so it is as
 * durable as the child's end): `completed` completes the step with the
 * child's output; any other end fails the attempt (`CHILD_FAILED`), and a
 * retry starts a new child. A timeout, a halt or the end of this execution
 * cancels the running child. See docs/child-workflows.md.
 *
 *   running <-> backoff -> completed | (onError, see region.ts)
 */
export interface WorkflowStepPlan extends BasePlan {
  type: 'workflow';
  workflow: string;
  version?: number;
  /** Per attempt; without one the step waits as long as its child runs. */
  timeoutMs: number | undefined;
  retry: RetryPolicy;
  /** Whether the saga asks a completed child to compensate. */
  compensate: boolean;
}

const NO_RETRY: RetryPolicy = { retries: 0, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '5m', jitter: 0.2 };

export const isWorkflowPlan = (plan: BasePlan): plan is WorkflowStepPlan => plan.type === 'workflow';

/** Step-record fields only workflow steps write. */
const workflowRecordFields = {
  /** The current attempt's child execution. */
  child: z.string().optional(),
};

function workflowActions(plans: Plans) {
  const planOf = (step: string): WorkflowStepPlan => plans.of(step, isWorkflowPlan);
  /** The attempt's child ended (it told this step): it is no longer ours to cancel. */
  const childEnded = (ctx: Ctx, step: string): Ctx => dropChildren(ctx, (s) => s === step, false);
  return {
    /** Starts attempt n+1: a new child execution, and the attempt's timeout if the step has one. */
    startChild: act<StepParams>((ctx, _e, { step }) => {
      const plan = planOf(step);
      const rec = ctx.steps[step]!;
      const attempt = rec.attempt + 1;
      const childId = childExecutionId(ctx.executionId, step, attempt);
      let next = patchStep(ctx, step, {
        status: 'running',
        attempt,
        child: childId,
        startedAt: rec.startedAt ?? ctx.now,
        attempts: [...rec.attempts, { attempt, startedAt: ctx.now, status: 'running' }],
      });
      next = emit(addChild(next, childId, step), {
        kind: 'child.start',
        childId,
        workflow: plan.workflow,
        ...(plan.version === undefined ? {} : { version: plan.version }),
        input: rec.input ?? ctx.input,
        step,
        attempt,
      });
      return plan.timeoutMs === undefined ? next : startTimer(next, step, attempt, 'timeout', plan.timeoutMs);
    }),
    childCompleted: act<StepParams>((ctx, event, { step }) => {
      const done = cancelTimer(childEnded(ctx, step), step, ctx.steps[step]!.attempt, 'timeout');
      return completeStep(endAttempt(done, step, 'completed'), step, stepEventOf(event, 'reply').output ?? null);
    }),
    childFailed: act<StepParams>((ctx, _e, { step }) => childEnded(ctx, step)),
    /** The attempt timed out: its child is cancelled (its late end notice is stale). */
    childTimedOut: act<StepParams>((ctx, _e, { step }) => dropChildren(ctx, (s) => s === step, true)),
  };
}

export const workflowStep: StepKind<
  'workflow',
  WorkflowStepPlan,
  object,
  ReturnType<typeof workflowActions>,
  typeof workflowRecordFields
> = {
  type: 'workflow',
  schema: WorkflowStepSchema,
  recordFields: workflowRecordFields,
  owns: isWorkflowPlan,
  plan: (step, common) => ({
    ...common,
    type: 'workflow',
    needsEvaluation: common.hasCondition || step.input !== undefined,
    start: async (scope) => {
      if (step.input === undefined) return {};
      const input = await mapInput(step.input, scope);
      if (!input || typeof input !== 'object' || Array.isArray(input))
        throw new SquadflowError('INVALID_EXPRESSION', `the child workflow's input must be a JSON object`);
      return { input };
    },
    onError: step.onError ?? common.onError,
    workflow: step.workflow,
    ...(step.version === undefined ? {} : { version: step.version }),
    timeoutMs: step.timeout === undefined ? undefined : durationMs(step.timeout),
    retry: step.retry ?? NO_RETRY,
    compensate: step.compensate,
  }),
  begin: 'running',
  states: (plan, { p, exhausted, halted }) => ({
    running: {
      entry: [named('startChild', p)],
      on: {
        [stepEventType('reply', plan.name)]: [
          { guard: named('replyOk', p), target: 'completed', actions: [named('childCompleted', p), 'raiseSettled'] },
          ...retryRoutes(p, exhausted, [named('childFailed', p), named('failAttempt', p)], 'reply'),
        ],
        [stepEventType('timer', plan.name)]: retryRoutes(p, exhausted, [named('childTimedOut', p), named('timeoutAttempt', p)], 'timeout'),
      },
    },
    backoff: backoffState(plan, p, halted),
  }),
  guards: () => ({}),
  actions: workflowActions,
};
