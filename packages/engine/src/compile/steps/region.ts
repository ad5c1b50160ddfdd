import { stepEventType } from '../events.ts';
import type { MachineState, MachineTransition } from '../machine-names.ts';
import { named } from '../machine-kit.ts';
import type { BasePlan, RegionParts } from './kind.ts';

/**
 * The statechart region of one step, inside the workflow's parallel `running`
 * state: the states every kind shares, plus the kind's own (its `states`).
 * Every transition is driven by an event addressed to this step
 * (`eval.<step>`, `reply.<step>`, `timer.<step>`, `signal.<step>`) or by the
 * internal `settled` / `halt` / `resolve` events; there are no eventless
 * transitions and no XState `after` delays (timers are durable and owned by
 * the engine). Actions and guards are named, with the step as a parameter, so
 * the chart stays serializable and readable when exported.
 *
 *   blocked -> [evaluating] -> [delayed] -> <begin> (the kind's states)
 *   ... -> completed | skipped | failed | escalated | suspended | halted
 */
export interface RegionKind<P extends BasePlan> {
  readonly begin: string;
  states(plan: P, parts: RegionParts): Record<string, MachineState>;
}

export function stepRegion<P extends BasePlan>(plan: P, kind: RegionKind<P>): MachineState {
  const p = { step: plan.name };
  const settled = 'raiseSettled' as const;
  const halted: MachineTransition = { target: 'halted', actions: [named('halt', p)] };
  const begin = kind.begin;
  // Where the step goes once its dependencies settle. A step with nothing to evaluate skips `evaluating`
  // (the state stays in the chart: snapshots persisted in it, and operator retries, still go through it).
  const start = plan.needsEvaluation ? 'evaluating' : plan.delayMs > 0 ? 'delayed' : begin;

  const exhausted = (actions: NonNullable<MachineTransition['actions']>): MachineTransition => {
    const before = Array.isArray(actions) ? actions : [actions];
    switch (plan.onError) {
      case 'skip':
        return { target: 'skipped', actions: [...before, named('skipFailed', p), settled] };
      case 'escalate':
        return { target: 'escalated', actions: [...before, named('escalate', p)] };
      case 'pause':
        return { target: 'suspended', actions: [...before, named('suspendStep', p)] };
      default:
        return { target: 'failed', actions: [...before, named('failStep', { ...p, onError: plan.onError }), 'raiseHalt'] };
    }
  };
  const ready = [
    { guard: named('branchNotTaken', p), target: 'skipped', actions: [named('skipBranch', p), settled] },
    { guard: named('depsSettled', p), target: start },
  ];

  const states: Record<string, MachineState> = {
    blocked: {
      // A resume re-checks dependencies that settled while the execution was paused.
      on: { settled: ready, resumed: ready, halt: halted },
    },
    evaluating: {
      entry: [named('evaluate', p)],
      on: {
        [stepEventType('eval', plan.name)]: [
          { guard: 'evalFailed', ...exhausted([named('evalError', p)]) },
          { guard: 'evalSkip', target: 'skipped', actions: [named('skipCondition', p), settled] },
          ...(plan.delayMs > 0 ? [{ target: 'delayed', actions: [named('applyEval', p)] }] : []),
          { target: begin, actions: [named('applyEval', p)] },
        ],
        halt: halted,
      },
    },
    ...(plan.delayMs > 0
      ? {
          delayed: {
            entry: [named('startDelay', p)],
            on: {
              [stepEventType('timer', plan.name)]: {
                guard: named('isTimer', { ...p, timer: 'delay' }),
                target: begin,
                actions: [named('timerFired', { ...p, timer: 'delay' })],
              },
              halt: halted,
            },
          },
        }
      : {}),
    skipped: { type: 'final' },
    completed: { type: 'final' },
    failed: { type: 'final' },
    halted: { type: 'final' },
    ...kind.states(plan, { p, exhausted, halted }),
    ...onErrorStates(plan, begin, halted),
  };
  return { initial: plan.deps.length ? 'blocked' : start, states };
}

/**
 * `onError: pause` and `escalate` park a step that failed for good; an
 * operator's resume, or a resolve signal, moves it on.
 */
function onErrorStates(plan: BasePlan, begin: string, halted: MachineTransition): Record<string, MachineState> {
  const p = { step: plan.name };
  if (plan.onError === 'pause') {
    // Retries ran out: the whole execution pauses; an operator fixes the cause and resumes, and the step runs again.
    // A step that never ran (its input mapping failed) is evaluated again rather than run with no input.
    return { suspended: { on: { resumed: [{ guard: named('neverRan', p), target: 'evaluating' }, { target: begin }], halt: halted } } };
  }
  if (plan.onError === 'escalate') {
    const resolve = named('resolveEscalation', p);
    return {
      escalated: {
        on: {
          resolve: [
            { guard: named('retryUnevaluated', p), target: 'evaluating', actions: [resolve] },
            { guard: named('resolveIs', { ...p, action: 'retry' }), target: begin, actions: [resolve] },
            {
              guard: named('resolveIs', { ...p, action: 'skip' }),
              target: 'skipped',
              actions: [resolve, named('skipResolved', p), 'raiseSettled'],
            },
            {
              guard: named('resolveIs', { ...p, action: 'abort' }),
              target: 'failed',
              actions: [resolve, named('failStep', { ...p, onError: 'abort' }), 'raiseHalt'],
            },
          ],
          halt: halted,
        },
      },
    };
  }
  return {};
}
