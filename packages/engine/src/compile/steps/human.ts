import { z } from 'zod';
import { durationMs, HumanStepSchema, renderTemplate } from '@squadflow/shared';
import { lifecycle, patchStep, startTimer, timerFired } from '../context-ops.ts';
import { isStepEvent, stepEventOf } from '../events.ts';
import { act, named, type GuardArgs, type StepParams } from '../machine-kit.ts';
import type { BasePlan, Plans, StepKind } from './kind.ts';
import { signalWaitFields, waitingState, type SignalWaitFields } from './wait.ts';

/**
 * A task for a person: a wait (wait.ts, whose `waiting` state and actions it
 * uses) with an assignee, and escalations that fire in order while nobody
 * decides, each asking the next person and telling notifiers.
 */
export interface HumanPlan extends BasePlan, SignalWaitFields {
  type: 'human';
  /** Who is asked first. */
  assignee: string;
  /** What the person is asked. */
  title: string | undefined;
  /** Who is asked next, after how long (ms since the task started), in order. */
  escalations: Array<{ afterMs: number; to: string }>;
}

const isHumanPlan = (plan: BasePlan): plan is HumanPlan => plan.type === 'human';

/** Step-record fields only human tasks write. */
const humanRecordFields = {
  /** Who is asked now. */
  assignee: z.string().optional(),
  /** How many escalations happened. */
  escalationLevel: z.number().int().optional(),
  /** Everyone asked so far, in order: the first assignee, then each escalation's target. */
  escalationChain: z.array(z.string()).optional(),
};

function humanGuards() {
  return {
    isEscalationDue: ({ context, event }: GuardArgs, { step }: StepParams) =>
      isStepEvent(event, 'timer') && event.timer === 'escalation' && event.attempt === (context.steps[step]!.escalationLevel ?? 0) + 1,
  };
}

function humanActions(plans: Plans) {
  return {
    // The task is announced (`step.waiting`) so that notifiers tell the assignee; only human steps pay for it.
    startHumanTask: act<StepParams>((ctx, _e, { step }) => {
      const plan = plans.of(step, isHumanPlan);
      const announced = lifecycle(ctx, 'step.waiting', step, {
        kind: 'human',
        assignee: plan.assignee,
        ...(plan.title === undefined ? {} : { title: plan.title }),
        key: ctx.steps[step]!.key,
        ...(plan.timeoutMs === undefined ? {} : { dueAt: ctx.now + plan.timeoutMs }),
      });
      const next = patchStep(announced, step, { assignee: plan.assignee, escalationLevel: 0, escalationChain: [plan.assignee] });
      const first = plan.escalations[0];
      return first ? startTimer(next, step, 1, 'escalation', first.afterMs) : next;
    }),
    // A human task nobody decided: the next person in the chain is asked; a lifecycle event tells notifiers.
    escalateHumanTask: act<StepParams>((ctx, event, { step }) => {
      const plan = plans.of(step, isHumanPlan);
      const level = stepEventOf(event, 'timer').attempt;
      const target = plan.escalations[level - 1]!;
      let next = timerFired(ctx, step, level, 'escalation');
      const chain = [...(ctx.steps[step]!.escalationChain ?? [plan.assignee]), target.to];
      next = patchStep(next, step, { assignee: target.to, escalationLevel: level, escalationChain: chain });
      next = lifecycle(next, 'step.escalated', step, {
        to: target.to,
        level,
        chain,
        key: ctx.steps[step]!.key,
        ...(plan.title === undefined ? {} : { title: plan.title }),
      });
      const following = plan.escalations[level];
      return following ? startTimer(next, step, level + 1, 'escalation', following.afterMs - target.afterMs) : next;
    }),
  };
}

export const human: StepKind<
  'human',
  HumanPlan,
  ReturnType<typeof humanGuards>,
  ReturnType<typeof humanActions>,
  typeof humanRecordFields
> = {
  type: 'human',
  schema: HumanStepSchema,
  recordFields: humanRecordFields,
  owns: isHumanPlan,
  plan: (step, common) => ({
    ...common,
    type: 'human',
    needsEvaluation: true,
    // A human task's default key names the execution and the step: unique, and easy for a task inbox to build.
    start: async (scope, executionId) => ({
      key: step.signal === undefined ? `human_${executionId}_${step.name}` : await renderTemplate(step.signal, scope),
    }),
    ...signalWaitFields(step),
    assignee: step.assignee,
    title: step.title,
    escalations: step.escalations.map((e) => ({ afterMs: durationMs(e.after), to: e.to })).sort((a, b) => a.afterMs - b.afterMs),
  }),
  begin: 'waiting',
  states: (plan, parts) =>
    waitingState(plan, parts, {
      entry: [named('startHumanTask', parts.p)],
      timer: plan.escalations.length ? [{ guard: named('isEscalationDue', parts.p), actions: [named('escalateHumanTask', parts.p)] }] : [],
    }),
  guards: humanGuards,
  actions: humanActions,
};
