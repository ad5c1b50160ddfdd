import { z } from 'zod';
import { durationMs, renderTemplate, WaitStepSchema, type Duration } from '@squadflow/shared';
import { cancelTimer, completeStep, patchStep, registerWait, startTimer, timerFired, unregisterWaits } from '../context-ops.ts';
import { stepEventOf, stepEventType } from '../events.ts';
import type { MachineActionRef, MachineState, MachineTransition } from '../machine-names.ts';
import { act, named, type StepParams } from '../machine-kit.ts';
import { executionWaitActions, executionWaitGuards, watchedExecution, watchingState } from './execution-wait.ts';
import type { BasePlan, Plans, RegionParts, StepKind } from './kind.ts';

/**
 * A wait: the step registers its correlation key and completes when a signal
 * with that key arrives (outcome `signal`), or when its timeout fires
 * (outcome `timeout`). Human tasks (human.ts) are waits with a person.
 *
 *   waiting -> completed
 */
export interface SignalWaitFields {
  /** Without a timeout the step waits until the signal comes or the execution is cancelled. */
  timeoutMs: number | undefined;
  /** How far back a buffered signal still counts. */
  lookbackMs: number;
}
export interface WaitPlan extends BasePlan, SignalWaitFields {
  type: 'wait';
  /** A wait on another execution (execution-wait.ts): the expression giving its id. */
  execution?: string;
}

/** Signals up to a minute early still resume a wait: the sender rarely knows when the wait begins. */
const DEFAULT_LOOKBACK_MS = 60_000;

export const signalWaitFields = (step: { timeout?: Duration | undefined; lookback?: Duration | undefined }): SignalWaitFields => ({
  timeoutMs: step.timeout === undefined ? undefined : durationMs(step.timeout),
  lookbackMs: step.lookback === undefined ? DEFAULT_LOOKBACK_MS : durationMs(step.lookback),
});

const waitsForSignal = (plan: BasePlan): plan is BasePlan & SignalWaitFields => 'lookbackMs' in plan;

/** Step-record fields waits (and human tasks) write. */
const waitRecordFields = {
  /** The rendered correlation key. */
  key: z.string().optional(),
  /** Which way the wait ended. */
  outcome: z.enum(['signal', 'timeout']).optional(),
};

/** The `waiting` state, with the kind's own entry actions and timer transitions after the wait's. */
export function waitingState(
  plan: BasePlan,
  { p, halted }: RegionParts,
  extra: { entry?: MachineActionRef[]; timer?: MachineTransition[] } = {},
): Record<string, MachineState> {
  return {
    waiting: {
      entry: [named('startWaiting', p), ...(extra.entry ?? [])],
      on: {
        [stepEventType('signal', plan.name)]: { target: 'completed', actions: [named('receiveSignal', p), 'raiseSettled'] },
        [stepEventType('timer', plan.name)]: [
          { guard: named('isTimer', { ...p, timer: 'wait' }), target: 'completed', actions: [named('waitTimedOut', p), 'raiseSettled'] },
          ...(extra.timer ?? []),
        ],
        halt: halted,
      },
    },
  };
}

function waitActions(plans: Plans) {
  return {
    startWaiting: act<StepParams>((ctx, _e, { step }) => {
      const rec = ctx.steps[step]!;
      const plan = plans.of(step, waitsForSignal);
      const waiting = patchStep(ctx, step, { status: 'waiting', startedAt: rec.startedAt ?? ctx.now });
      const next = registerWait(waiting, rec.key!, step, 'wait', plan.lookbackMs);
      return plan.timeoutMs === undefined ? next : startTimer(next, step, 0, 'wait', plan.timeoutMs);
    }),
    receiveSignal: act<StepParams>((ctx, event, { step }) =>
      completeStep(unregisterWaits(cancelTimer(ctx, step, 0, 'wait'), step), step, stepEventOf(event, 'signal').data ?? null, {
        outcome: 'signal',
      }),
    ),
    waitTimedOut: act<StepParams>((ctx, _e, { step }) =>
      completeStep(unregisterWaits(timerFired(ctx, step, 0, 'wait'), step), step, null, { outcome: 'timeout' }),
    ),
  };
}

function allWaitActions(plans: Plans) {
  return { ...waitActions(plans), ...executionWaitActions(plans) };
}

export const wait: StepKind<
  'wait',
  WaitPlan,
  ReturnType<typeof executionWaitGuards>,
  ReturnType<typeof allWaitActions>,
  typeof waitRecordFields
> = {
  type: 'wait',
  schema: WaitStepSchema,
  recordFields: waitRecordFields,
  owns: (plan): plan is WaitPlan => plan.type === 'wait',
  plan: (step, common) => {
    const execution = step.execution;
    if (execution !== undefined) {
      return {
        ...common,
        type: 'wait',
        needsEvaluation: true,
        onError: step.onError ?? common.onError,
        execution,
        start: (scope) => watchedExecution(execution, scope),
        ...signalWaitFields(step),
      };
    }
    const signal = step.signal!;
    return {
      ...common,
      type: 'wait',
      needsEvaluation: true,
      start: async (scope) => ({ key: await renderTemplate(signal, scope) }),
      ...signalWaitFields(step),
    };
  },
  begin: 'waiting',
  states: (plan, parts) => (plan.execution === undefined ? waitingState(plan, parts) : watchingState(plan, parts)),
  guards: executionWaitGuards,
  actions: allWaitActions,
};
