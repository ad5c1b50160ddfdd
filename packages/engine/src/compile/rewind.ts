/**
 * Retry from a step (an operator's rewind), as pure functions of the
 * execution's context and the workflow's plan. A rewind is not a transition
 * of the machine: a failed execution's statechart is in a final state and
 * takes no more events. Instead a new snapshot is built from the definition:
 * the steps that keep their results stay `completed` / `skipped` with their
 * recorded outputs, the steps to run again go back to `blocked` (their
 * attempt history kept, their attempt counter continuing), and the loop
 * sends that snapshot the `settled` event a completed step would raise, so
 * the machine itself starts whatever is ready.
 *
 * The steps run again: `fromStep` (a completed step), every step that did not
 * settle (failed, escalated, halted, running...), and everything that depends
 * on any of them, transitively. Attempt numbers are never reused: a command id
 * (`<execution>.<step>.<attempt>`) that repeated an earlier one would be
 * dropped by JetStream's dedup, and a late reply to an earlier attempt must
 * stay stale.
 */
import { ExecutionErrorCode, type ExecutionStatus } from '@squadflow/shared';
import { lifecycle } from './context-ops.ts';
import type { WorkflowPlan } from './plan.ts';
import type { Effect, ExecutionContext, RewindRecord, StepRecord } from './types.ts';

/** Rewinds one execution may take: each one's record stays in the snapshot. */
export const MAX_REWINDS = 50;

/** Why an execution cannot be rewound: the step asked for (`fromStep`: a bad request) or the execution's state (a conflict). */
export interface RewindRefusal {
  about: 'fromStep' | 'execution';
  message: string;
}

/** What a rewind is checked against: the stored execution, as the record or the view shows it. */
export interface RewindSubject {
  status: ExecutionStatus;
  /** The record's error code, when it failed. */
  errorCode?: string;
  /** The step records (none for an execution that never started). */
  steps: Readonly<Record<string, Pick<StepRecord, 'status'>>> | undefined;
  /** Rewinds so far. */
  rewinds: number;
  /** The saga began (compensations ran or are parked): results before the failure may be undone. */
  saga: boolean;
}

/** The rewind subject of a stored execution's record and decoded context. */
export function rewindSubject(
  record: { status: ExecutionStatus; error?: { code: string } | undefined },
  ctx: ExecutionContext | undefined,
): RewindSubject {
  return {
    status: record.status,
    ...(record.error ? { errorCode: record.error.code } : {}),
    steps: ctx?.steps,
    rewinds: ctx?.rewinds?.length ?? 0,
    saga: ctx?.compensation !== undefined,
  };
}

const SETTLED = new Set<StepRecord['status']>(['completed', 'skipped']);
/** Failed by the engine without a transition (quarantine): its statechart is not to run again. */
const QUARANTINED = new Set<string>([ExecutionErrorCode.POISON_EVENT, ExecutionErrorCode.RECORD_TOO_LARGE]);

/** Whether `fromStep` of this execution can be retried from; undefined when it can. */
export function rewindRefusal(subject: RewindSubject, plan: WorkflowPlan, fromStep: string): RewindRefusal | undefined {
  if (!plan.steps.has(fromStep)) return { about: 'fromStep', message: `workflow ${plan.name} v${plan.version} has no step "${fromStep}"` };
  if (subject.status !== 'failed' && subject.status !== 'escalated') {
    return {
      about: 'execution',
      message: `the execution is ${subject.status}; only a failed or escalated execution can be retried from a step`,
    };
  }
  if (subject.errorCode !== undefined && QUARANTINED.has(subject.errorCode)) {
    return { about: 'execution', message: `the execution was failed by the engine (${subject.errorCode}); it cannot run again` };
  }
  if (!subject.steps) return { about: 'execution', message: 'the execution never started' };
  if (subject.saga || Object.values(subject.steps).some((s) => s.status === 'compensated' || s.status === 'compensating')) {
    return { about: 'execution', message: 'its saga ran (compensations undo the results a retry would build on)' };
  }
  if (subject.rewinds >= MAX_REWINDS) return { about: 'execution', message: `it was rewound ${MAX_REWINDS} times already` };
  const status = subject.steps[fromStep]?.status ?? 'blocked';
  if (status !== 'completed')
    return { about: 'fromStep', message: `step "${fromStep}" is ${status}; only a completed step can be retried from` };
  return undefined;
}

/** The steps a rewind to `fromStep` runs again, in definition order (see the module comment). */
export function stepsToRewind(steps: Readonly<Record<string, Pick<StepRecord, 'status'>>>, plan: WorkflowPlan, fromStep: string): string[] {
  const reset = new Set<string>();
  const pending = [fromStep, ...plan.order.filter((name) => !SETTLED.has(steps[name]?.status ?? 'blocked'))];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reset.has(name)) continue;
    reset.add(name);
    pending.push(...(plan.steps.get(name)?.dependants ?? []));
  }
  return plan.order.filter((name) => reset.has(name));
}

/** A rewound execution: the state value and context to resolve a snapshot from, and the steps reset. */
export interface Rewound {
  value: { running: Record<string, 'completed' | 'skipped' | 'blocked'> };
  context: ExecutionContext;
  steps: string[];
}

/**
 * The execution rewound to `fromStep` (checked with `rewindRefusal` first):
 * every timer and wait it held is released, the reset steps keep their
 * attempts, and an `execution.rewound` lifecycle event is in the outbox.
 */
export function rewoundExecution(
  ctx: ExecutionContext,
  plan: WorkflowPlan,
  fromStep: string,
  rewind: Omit<RewindRecord, 'steps' | 'fromStep'>,
): Rewound {
  const steps = stepsToRewind(ctx.steps, plan, fromStep);
  const reset = new Set(steps);
  const records: Record<string, StepRecord> = {};
  const running: Rewound['value']['running'] = {};
  for (const name of plan.order) {
    const rec = ctx.steps[name] ?? { status: 'blocked', attempt: 0, attempts: [] };
    records[name] = reset.has(name) ? { status: 'blocked', attempt: rec.attempt, attempts: rec.attempts, attemptBase: rec.attempt } : rec;
    running[name] = reset.has(name) ? 'blocked' : rec.status === 'completed' ? 'completed' : 'skipped';
  }
  const released: Effect[] = [
    ...ctx.timers.map((id): Effect => ({ kind: 'timer.cancel', id })),
    ...ctx.waits.map((w): Effect => ({ kind: 'wait.unregister', key: w.key, step: w.step })),
  ];
  const record: RewindRecord = { ...rewind, fromStep, steps };
  // What ended or parked the execution is forgotten; its history (attempts, rewinds) is kept.
  const { failure: _f, compensation: _c, endedAt: _e, cancelReason: _r, paused: _p, volatileTimers: _v, ...kept } = ctx;
  const context: ExecutionContext = {
    ...kept,
    steps: records,
    completed: ctx.completed.filter((name) => !reset.has(name)),
    timers: [],
    waits: [],
    outbox: released,
    now: rewind.at,
    rewinds: [...(ctx.rewinds ?? []), record],
  };
  const data = { fromStep, steps, rewind: context.rewinds!.length, previousStatus: rewind.previousStatus };
  return { value: { running }, context: lifecycle(context, 'execution.rewound', undefined, data), steps };
}

/**
 * The rewound run's outbox without the releases it undoes: a wait or human
 * step's timers (`<execution>.<step>.0.wait`) and waits keep their ids across
 * runs, and effects run concurrently, so releasing one that the same outbox
 * arms again could delete the new one. Arming it again replaces it instead.
 */
export function withoutRearmedReleases(outbox: readonly Effect[]): Effect[] {
  const armed = new Set(
    outbox.flatMap((e) => (e.kind === 'timer.start' ? [e.id] : e.kind === 'wait.register' ? [`${e.key} ${e.step}`] : [])),
  );
  return outbox.filter(
    (e) => !(e.kind === 'timer.cancel' && armed.has(e.id)) && !(e.kind === 'wait.unregister' && armed.has(`${e.key} ${e.step}`)),
  );
}
