import { StepErrorCode, type StepError, type TimerKind } from '@squadflow/shared';
import { writable } from './draft.ts';
import { isVolatileTimer, lifecycleId, timerId } from './ids.ts';
import type { AttemptRecord, Effect, ExecutionContext, LifecycleKind, StepRecord } from './types.ts';

/**
 * Pure updates of the execution context. Each takes a context and returns the
 * next one; effects are appended to `outbox`, never performed. The machine's
 * named actions (steps/, compensation-state.ts, machine.ts) are built from these.
 * Containers (the steps record, the outbox, the timer and wait lists) are
 * copied once per transition and then updated in place (draft.ts), so an
 * update costs the same whatever the number of steps.
 */
type Ctx = ExecutionContext;

const copyList = <T>(list: T[]): T[] => list.slice();
const copyRecord = <T extends object>(record: T): T => ({ ...record });

/** Removes the items `drop` selects, in place. */
function removeWhere<T>(items: T[], drop: (item: T) => boolean): void {
  let kept = 0;
  for (const item of items) if (!drop(item)) items[kept++] = item;
  items.length = kept;
}

export function emit(ctx: Ctx, ...effects: Effect[]): Ctx {
  const outbox = writable(ctx.outbox, copyList);
  for (const effect of effects) outbox.push(effect);
  return { ...ctx, outbox };
}

export function patchStep(ctx: Ctx, step: string, patch: Partial<StepRecord>): Ctx {
  const current = ctx.steps[step] ?? { status: 'blocked', attempt: 0, attempts: [] };
  const steps = writable(ctx.steps, copyRecord);
  steps[step] = { ...current, ...patch };
  return { ...ctx, steps };
}

export function lifecycle(ctx: Ctx, type: LifecycleKind, step?: string, data?: unknown): Ctx {
  // Pause and resume can repeat: their ids carry the time so each one is published.
  const repeatable = type === 'execution.paused' || type === 'execution.resumed';
  const attempt = repeatable ? ctx.now : step ? stepRound(ctx.steps[step], type) : 0;
  return emit(ctx, {
    kind: 'lifecycle',
    id: lifecycleId(ctx.executionId, type, step, attempt, ctx.rewinds?.length ?? 0),
    type,
    ...(step ? { step } : {}),
    ...(data === undefined ? {} : { data }),
  });
}

/** What tells a step's events apart: its attempt, or for a human task's escalations their level (its attempt stays 0). */
function stepRound(rec: StepRecord | undefined, type: LifecycleKind): number {
  return type === 'step.escalated' ? (rec?.escalationLevel ?? 0) : (rec?.attempt ?? 0);
}

export function startTimer(ctx: Ctx, step: string, attempt: number, timer: TimerKind, delayMs: number): Ctx {
  const id = timerId(ctx.executionId, step, attempt, timer);
  const dueAt = ctx.now + delayMs;
  const next = emit(ctx, { kind: 'timer.start', id, step, attempt, timer, dueAt });
  let volatile = {};
  if (isVolatileTimer(timer)) {
    const volatileTimers = writable(ctx.volatileTimers ?? {}, copyRecord);
    volatileTimers[id] = { step, attempt, timer, dueAt };
    volatile = { volatileTimers };
  }
  const timers = writable(next.timers, copyList);
  removeWhere(timers, (t) => t === id);
  timers.push(id);
  return { ...next, ...volatile, timers };
}

/** Forgets a timer that just fired (the engine deletes its stored copy). */
export function timerFired(ctx: Ctx, step: string, attempt: number, timer: TimerKind): Ctx {
  const id = timerId(ctx.executionId, step, attempt, timer);
  return forgetTimers(ctx, (t) => t === id);
}

export function cancelTimer(ctx: Ctx, step: string, attempt: number, timer: TimerKind): Ctx {
  const id = timerId(ctx.executionId, step, attempt, timer);
  if (!ctx.timers.includes(id)) return ctx;
  return forgetTimers(emit(ctx, { kind: 'timer.cancel', id }), (t) => t === id);
}

/** Drops timers from the armed list (and their in-memory specs). */
function forgetTimers(ctx: Ctx, drop: (id: string) => boolean): Ctx {
  const timers = writable(ctx.timers, copyList);
  removeWhere(timers, drop);
  if (!ctx.volatileTimers) return { ...ctx, timers };
  const volatileTimers = writable(ctx.volatileTimers, copyRecord);
  for (const id of Object.keys(volatileTimers)) if (drop(id)) delete volatileTimers[id];
  // Set to undefined, not left out: XState's `assign` merges into the previous context, where a
  // key left out keeps its old value (the timers just forgotten, re-armed after a restart).
  return { ...ctx, timers, volatileTimers: Object.keys(volatileTimers).length ? volatileTimers : undefined };
}

export function registerWait(ctx: Ctx, key: string, step: string, purpose: 'wait' | 'escalation', lookbackMs?: number): Ctx {
  const since = lookbackMs === undefined || lookbackMs <= 0 ? {} : { since: ctx.now - lookbackMs };
  const next = emit(ctx, { kind: 'wait.register', key, step, purpose, ...since });
  const waits = writable(next.waits, copyList);
  waits.push({ key, step });
  return { ...next, waits };
}

export function unregisterWaits(ctx: Ctx, step: string): Ctx {
  const mine = ctx.waits.filter((w) => w.step === step);
  if (!mine.length) return ctx;
  const next = emit(ctx, ...mine.map((w): Effect => ({ kind: 'wait.unregister', key: w.key, step })));
  const waits = writable(next.waits, copyList);
  removeWhere(waits, (w) => w.step === step);
  return { ...next, waits };
}

/** Records a child execution a step started (cancelled if the step stops waiting for it). */
export function addChild(ctx: Ctx, executionId: string, step: string): Ctx {
  const children = writable(ctx.children ?? [], copyList);
  children.push({ executionId, step });
  return { ...ctx, children };
}

/** Forgets the children of the steps `drop` selects; `cancel`: they are still running and must stop. */
export function dropChildren(ctx: Ctx, drop: (step: string) => boolean, cancel: boolean): Ctx {
  const mine = ctx.children?.filter((c) => drop(c.step)) ?? [];
  if (!mine.length) return ctx;
  const next = cancel ? emit(ctx, ...mine.map((c): Effect => ({ kind: 'child.cancel', childId: c.executionId, step: c.step }))) : ctx;
  const children = writable(ctx.children!, copyList);
  removeWhere(children, (c) => drop(c.step));
  return { ...next, children };
}

/** Cancels every timer, wait and running child of one step (a halted or resolved step leaves nothing armed). */
export function releaseStep(ctx: Ctx, step: string): Ctx {
  const prefix = `${ctx.executionId}.${step}.`;
  const mine = ctx.timers.filter((t) => t.startsWith(prefix));
  const next = mine.length ? emit(ctx, ...mine.map((id): Effect => ({ kind: 'timer.cancel', id }))) : ctx;
  return dropChildren(
    unregisterWaits(
      forgetTimers(next, (t) => t.startsWith(prefix)),
      step,
    ),
    (s) => s === step,
    true,
  );
}

/** Cancels everything still armed (terminal states). */
export function releaseAll(ctx: Ctx): Ctx {
  const next = emit(
    ctx,
    ...ctx.timers.map((id): Effect => ({ kind: 'timer.cancel', id })),
    ...ctx.waits.map((w): Effect => ({ kind: 'wait.unregister', key: w.key, step: w.step })),
  );
  return dropChildren({ ...forgetTimers(next, () => true), waits: [] }, () => true, true);
}

export function outputs(ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, rec] of Object.entries(ctx.steps)) if (rec.output !== undefined) out[name] = rec.output;
  return out;
}

/** Closes the current attempt record. */
export function endAttempt(ctx: Ctx, step: string, status: AttemptRecord['status'], error?: StepError): Ctx {
  const rec = ctx.steps[step]!;
  const attempts = rec.attempts.map((a, i) =>
    i === rec.attempts.length - 1 ? { ...a, endedAt: ctx.now, status, ...(error ? { error } : {}) } : a,
  );
  return patchStep(ctx, step, { attempts, ...(error ? { error } : {}) });
}

export function completeStep(ctx: Ctx, step: string, output: unknown, extra: Partial<StepRecord> = {}): Ctx {
  const next = patchStep(ctx, step, { status: 'completed', output, endedAt: ctx.now, ...extra });
  const completed = writable(next.completed, copyList);
  completed.push(step);
  // The successful attempt's duration rides on the event, so metrics observe it without reading the record.
  const attempt = next.steps[step]?.attempts.at(-1);
  const timed = attempt?.status === 'completed' && attempt.endedAt !== undefined;
  return lifecycle(
    { ...next, completed },
    'step.completed',
    step,
    timed ? { durationMs: attempt.endedAt! - attempt.startedAt } : undefined,
  );
}

export function skipStep(ctx: Ctx, step: string, reason: string): Ctx {
  const rec = ctx.steps[step];
  const next = patchStep(releaseStep(ctx, step), step, {
    status: 'skipped',
    reason,
    endedAt: ctx.now,
    startedAt: rec?.startedAt ?? ctx.now,
  });
  return lifecycle(next, 'step.skipped', step, { reason });
}

export const TIMEOUT_ERROR: StepError = { message: 'step attempt timed out', code: StepErrorCode.TIMEOUT, retryable: true };
