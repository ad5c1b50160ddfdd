import type { StepPlan } from './plan.ts';

/**
 * The statechart region of one step, inside the workflow's parallel `running`
 * state. Every transition is driven by an event addressed to this step
 * (`eval.<step>`, `reply.<step>`, `timer.<step>`, `signal.<step>`) or by the
 * internal `settled` / `halt` / `resolve` events; there are no eventless
 * transitions and no XState `after` delays (timers are durable and owned by
 * the engine). Actions and guards are named, with the step as a parameter, so
 * the chart stays serializable and readable when exported.
 *
 *   blocked -> [evaluating] -> [delayed] -> running <-> backoff    (task)
 *                                      -> waiting                 (wait)
 *   running -> completed | skipped | failed | escalated | halted
 */
type Config = Record<string, unknown>;

const SETTLED = { type: 'raiseSettled' };
const HALT = { type: 'raiseHalt' };

export function stepRegion(plan: StepPlan): Config {
  const p = { step: plan.name };
  const a = (type: string, extra: Config = {}): Config => ({ type, params: { ...p, ...extra } });
  const g = a;
  const halted = { target: 'halted', actions: [a('halt')] };
  const begin = plan.type === 'task' ? 'running' : 'waiting';
  // Where the step goes once its dependencies settle. A step with nothing to evaluate skips `evaluating`
  // (the state stays in the chart: snapshots persisted in it, and operator retries, still go through it).
  const start = plan.needsEvaluation ? 'evaluating' : plan.delayMs > 0 ? 'delayed' : begin;

  const exhausted = (actions: Config[]): Config => {
    switch (plan.onError) {
      case 'skip':
        return { target: 'skipped', actions: [...actions, a('skipFailed'), SETTLED] };
      case 'escalate':
        return { target: 'escalated', actions: [...actions, a('escalate')] };
      case 'pause':
        return { target: 'suspended', actions: [...actions, a('suspendStep')] };
      default:
        return { target: 'failed', actions: [...actions, a('failStep', { onError: plan.onError }), HALT] };
    }
  };

  const states: Config = {
    blocked: {
      on: {
        settled: [
          { guard: g('branchNotTaken'), target: 'skipped', actions: [a('skipBranch'), SETTLED] },
          { guard: g('depsSettled'), target: start },
        ],
        // A resume re-checks dependencies that settled while the execution was paused.
        resumed: [
          { guard: g('branchNotTaken'), target: 'skipped', actions: [a('skipBranch'), SETTLED] },
          { guard: g('depsSettled'), target: start },
        ],
        halt: halted,
      },
    },
    evaluating: {
      entry: [a('evaluate')],
      on: {
        [`eval.${plan.name}`]: [
          { guard: g('evalFailed'), ...exhausted([a('evalError')]) },
          { guard: g('evalSkip'), target: 'skipped', actions: [a('skipCondition'), SETTLED] },
          ...(plan.delayMs > 0 ? [{ target: 'delayed', actions: [a('applyEval')] }] : []),
          { target: begin, actions: [a('applyEval')] },
        ],
        halt: halted,
      },
    },
    ...(plan.delayMs > 0
      ? {
          delayed: {
            entry: [a('startDelay')],
            on: {
              [`timer.${plan.name}`]: {
                guard: g('isTimer', { timer: 'delay' }),
                target: begin,
                actions: [a('timerFired', { timer: 'delay' })],
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
  };

  if (plan.type === 'task') {
    const failRoutes = (failAction: Config, source: 'reply' | 'timeout'): Config[] => [
      { guard: g('failCanRetry', { source }), target: 'backoff', actions: [failAction] },
      { guard: g('failHalting', { source }), target: 'halted', actions: [failAction, a('halt')] },
      { guard: g('failCurrent', { source }), ...exhausted([failAction]) },
    ];
    Object.assign(states, {
      running: {
        entry: [a('startAttempt')],
        on: {
          [`reply.${plan.name}`]: [
            ...(plan.checkOutput ? [{ guard: g('replyInvalidOutput'), ...exhausted([a('invalidOutput')]) }] : []),
            { guard: g('replyOk'), target: 'completed', actions: [a('succeed'), SETTLED] },
            ...failRoutes(a('failAttempt'), 'reply'),
          ],
          [`timer.${plan.name}`]: failRoutes(a('timeoutAttempt'), 'timeout'),
          [`heartbeat.${plan.name}`]: { guard: g('currentAttempt'), actions: [a('heartbeat')] },
        },
      },
      backoff: {
        entry: [a('startBackoff')],
        on: {
          [`timer.${plan.name}`]: {
            guard: g('isTimer', { timer: 'backoff' }),
            target: 'running',
            actions: [a('timerFired', { timer: 'backoff' })],
          },
          halt: halted,
        },
      },
    });
    if (plan.onError === 'pause') {
      // Retries ran out: the whole execution pauses; an operator fixes the cause and resumes, and the step runs again.
      // A step that never ran (its input mapping failed) is evaluated again rather than run with no input.
      states['suspended'] = {
        on: { resumed: [{ guard: g('neverRan'), target: 'evaluating' }, { target: 'running' }], halt: halted },
      };
    }
    if (plan.onError === 'escalate') {
      states['escalated'] = {
        on: {
          resolve: [
            { guard: g('retryUnevaluated'), target: 'evaluating', actions: [a('resolveEscalation')] },
            { guard: g('resolveIs', { action: 'retry' }), target: 'running', actions: [a('resolveEscalation')] },
            { guard: g('resolveIs', { action: 'skip' }), target: 'skipped', actions: [a('resolveEscalation'), a('skipResolved'), SETTLED] },
            {
              guard: g('resolveIs', { action: 'abort' }),
              target: 'failed',
              actions: [a('resolveEscalation'), a('failStep', { onError: 'abort' }), HALT],
            },
          ],
          halt: halted,
        },
      };
    }
  } else {
    states['waiting'] = {
      entry: [a('startWaiting')],
      on: {
        [`signal.${plan.name}`]: { target: 'completed', actions: [a('receiveSignal'), SETTLED] },
        [`timer.${plan.name}`]: [
          { guard: g('isTimer', { timer: 'wait' }), target: 'completed', actions: [a('waitTimedOut'), SETTLED] },
          ...(plan.escalations.length ? [{ guard: g('isEscalationDue'), actions: [a('escalateHumanTask')] }] : []),
        ],
        halt: halted,
      },
    };
  }

  return { initial: plan.deps.length ? 'blocked' : start, states };
}
