import type { StepError, StepErrorCode, TimerKind } from '@squadflow/shared';
import type { Watcher } from './types.ts';

/**
 * The events a workflow machine receives, their names and the factories that
 * build them. Every producer (the orchestrator's inbound handlers, the
 * expression evaluator, the machine's own `raise`s, tests) goes through
 * these, so an event name is spelt in one place.
 *
 * Step-scoped events are named `<family>.<step>`: only that step's region
 * listens, so other regions do not even evaluate guards on them. Step names
 * never contain a dot (NameSchema), so the family is the text before it.
 */

/** The answer to an `evaluate` effect: run the step (with its input or key) or not (condition false, or an error). */
export interface EvalEvent {
  type: `eval.${string}`;
  run: boolean;
  input?: unknown;
  key?: string;
  error?: string;
  /** The step error's code when `error` is set (default `EXPRESSION`; `PAYLOAD_TOO_LARGE` for an input over the bound). */
  code?: StepErrorCode;
  reason?: string;
}
export interface ReplyEvent {
  type: `reply.${string}`;
  attempt: number;
  ok: boolean;
  output?: unknown;
  error?: StepError;
}
export interface TimerEvent {
  type: `timer.${string}`;
  attempt: number;
  timer: TimerKind;
}
export interface SignalEvent {
  type: `signal.${string}`;
  data?: unknown;
  signalId: string;
}
export interface HeartbeatEvent {
  type: `heartbeat.${string}`;
  attempt: number;
  progress?: unknown;
}

/** The saga's events: one compensation runs at a time, so they are not step-scoped. */
export interface CompEvalEvent {
  type: 'ceval';
  step: string;
  input?: unknown;
  error?: string;
  /** As `EvalEvent.code`. */
  code?: StepErrorCode;
}
export interface CompReplyEvent {
  type: 'creply';
  step: string;
  attempt: number;
  ok: boolean;
  output?: unknown;
  error?: StepError;
}
export interface CompTimerEvent {
  type: 'ctimer';
  step: string;
  attempt: number;
  timer: TimerKind;
}
export interface CompHeartbeatEvent {
  type: 'cheartbeat';
  step: string;
  attempt: number;
  progress?: unknown;
}

/** An operator's (or a signal's) answer to an escalation. */
export interface ResolveEvent {
  type: 'resolve';
  action: 'retry' | 'skip' | 'abort';
  step?: string;
}
export interface CancelEvent {
  type: 'cancel';
  reason?: string;
}
export interface PauseEvent {
  type: 'pause';
  reason?: string;
}
export interface ResumeEvent {
  type: 'resume';
}

/** Another execution asks to be told when this one ends (a wait on it). */
export interface WatchEvent {
  type: 'watch';
  watcher: Watcher;
}
/** A parent's saga asks this completed child to run its compensations (docs/child-workflows.md). */
export interface CompensateEvent {
  type: 'compensate';
  watcher: Watcher;
}

/** Raised by the machine for itself (see `internalEvent`). */
export type InternalEvent = { type: 'settled' } | { type: 'halt' } | { type: 'resumed' } | { type: 'comp.next' };

/** Events the compiled machine accepts. */
export type MachineEvent =
  | EvalEvent
  | ReplyEvent
  | TimerEvent
  | SignalEvent
  | HeartbeatEvent
  | CompEvalEvent
  | CompReplyEvent
  | CompTimerEvent
  | CompHeartbeatEvent
  | ResolveEvent
  | CancelEvent
  | PauseEvent
  | ResumeEvent
  | WatchEvent
  | CompensateEvent
  | InternalEvent;

interface StepEvents {
  eval: EvalEvent;
  reply: ReplyEvent;
  timer: TimerEvent;
  signal: SignalEvent;
  heartbeat: HeartbeatEvent;
}
export type StepEventFamily = keyof StepEvents;
type Fields<E> = Omit<E, 'type'>;

/** The name of a step-scoped event: what a step's region listens to (`on` keys) and producers send. */
export const stepEventType = <F extends StepEventFamily>(family: F, step: string): `${F}.${string}` => `${family}.${step}`;

/** Whether `event` is of a step-scoped family (for any step). */
export const isStepEvent = <F extends StepEventFamily>(event: MachineEvent, family: F): event is StepEvents[F] =>
  event.type.startsWith(family) && event.type.charCodeAt(family.length) === 46; // '.'

/**
 * Narrows the event an action runs on. The action is referenced only from
 * transitions on that family, so a mismatch is a bug in the compiler.
 */
export function stepEventOf<F extends StepEventFamily>(event: MachineEvent, family: F): StepEvents[F] {
  if (!isStepEvent(event, family)) throw new Error(`expected a ${family}.<step> event, got ${event.type}`);
  return event;
}

/** The events the machine raises for itself: fixed objects, built once. */
export const internalEvent = {
  settled: { type: 'settled' },
  halt: { type: 'halt' },
  resumed: { type: 'resumed' },
  compNext: { type: 'comp.next' },
} as const satisfies Record<string, InternalEvent>;

/** Timers of the saga are answered with `ctimer`, every other kind with `timer.<step>`. */
const COMPENSATION_TIMERS: ReadonlySet<TimerKind> = new Set<TimerKind>(['compensation-timeout', 'compensation-backoff']);

/** Factories of every event the machine receives from outside. */
export const machineEvent = {
  eval: (step: string, fields: Fields<EvalEvent>): EvalEvent => ({ type: stepEventType('eval', step), ...fields }),
  compEval: (step: string, fields: Omit<CompEvalEvent, 'type' | 'step'>): CompEvalEvent => ({ type: 'ceval', step, ...fields }),
  reply: (step: string, compensation: boolean, fields: Fields<ReplyEvent>): ReplyEvent | CompReplyEvent =>
    compensation ? { type: 'creply', step, ...fields } : { type: stepEventType('reply', step), ...fields },
  timer: (step: string, fields: Fields<TimerEvent>): TimerEvent | CompTimerEvent =>
    COMPENSATION_TIMERS.has(fields.timer) ? { type: 'ctimer', step, ...fields } : { type: stepEventType('timer', step), ...fields },
  heartbeat: (step: string, compensation: boolean, fields: Fields<HeartbeatEvent>): HeartbeatEvent | CompHeartbeatEvent =>
    compensation ? { type: 'cheartbeat', step, ...fields } : { type: stepEventType('heartbeat', step), ...fields },
  signal: (step: string, fields: Fields<SignalEvent>): SignalEvent => ({ type: stepEventType('signal', step), ...fields }),
  resolve: (action: ResolveEvent['action'], step?: string): ResolveEvent => ({ type: 'resolve', action, ...(step ? { step } : {}) }),
  cancel: (reason?: string): CancelEvent => ({ type: 'cancel', ...(reason ? { reason } : {}) }),
  pause: (reason?: string): PauseEvent => ({ type: 'pause', ...(reason ? { reason } : {}) }),
  resume: (): ResumeEvent => ({ type: 'resume' }),
  watch: (watcher: Watcher): WatchEvent => ({ type: 'watch', watcher }),
  compensate: (watcher: Watcher): CompensateEvent => ({ type: 'compensate', watcher }),
};
