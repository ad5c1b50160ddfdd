import type { AttemptStatus, JsonObject, StepError, StepStatus, TimerKind } from '@squadflow/shared';

export type { MachineEvent } from './events.ts';

/** What a transition asks the engine to do. Recorded in the snapshot, performed after it is persisted. */
export type Effect =
  | { kind: 'evaluate'; step: string; purpose: 'step' | 'compensation' }
  | {
      kind: 'dispatch';
      id: string;
      step: string;
      attempt: number;
      squad: string;
      action: string;
      compensation: boolean;
      input: unknown;
      deadline: number;
      /** Checked against the squad action's shared breaker before the command goes out. */
      breaker?: { failureThreshold: number; resetAfterMs: number; whileOpen: 'fail' | 'wait' };
      priority?: number;
    }
  | { kind: 'timer.start'; id: string; step: string; attempt: number; timer: TimerKind; dueAt: number }
  | { kind: 'timer.cancel'; id: string }
  /** Frees this execution's place under its workflow's concurrency limit (and starts the next queued one). */
  | { kind: 'slot.release' }
  /** Re-arms every timer the execution holds (after a resume: those due meanwhile fire now). */
  | { kind: 'timers.resume' }
  /** `since`: a buffered signal received at or after this time (the wait's start minus its lookback) resumes the wait at once. */
  | { kind: 'wait.register'; key: string; step: string; purpose: 'wait' | 'escalation'; since?: number }
  | { kind: 'wait.unregister'; key: string; step: string }
  | { kind: 'lifecycle'; id: string; type: LifecycleKind; step?: string; data?: unknown }
  /** Starts a child execution of a `workflow` step (trigger id `trigger.<child>`: a replayed start is dropped). */
  | { kind: 'child.start'; childId: string; workflow: string; version?: number; input: unknown; step: string; attempt: number }
  /** Cancels a child execution whose step stopped waiting for it (the parent ended, halted or timed the step out). */
  | { kind: 'child.cancel'; childId: string; step: string }
  /** Asks a completed child to run its compensations and tell this step's compensation attempt when done. */
  | { kind: 'child.compensate'; childId: string; step: string; attempt: number }
  /** Asks another execution to tell this step when it ends (a wait on an execution). */
  | { kind: 'watch'; target: string; step: string; attempt: number }
  /** Tells a watcher (a parent step, a compensation attempt, a wait) that this execution ended; added by the loop. */
  | { kind: 'notify'; watcher: Watcher; status: string; output?: unknown; error?: { code: string; message: string } }
  /** Starts another workflow (a `then` handoff); added by the loop when an execution completes. */
  | { kind: 'trigger'; workflow: string; context: Record<string, unknown>; idempotencyKey: string };

export type LifecycleKind =
  | 'execution.started'
  | 'execution.completed'
  | 'execution.failed'
  | 'execution.compensated'
  | 'execution.escalated'
  | 'execution.cancelled'
  | 'execution.paused'
  | 'execution.resumed'
  | 'execution.rewound'
  | 'step.completed'
  | 'step.failed'
  | 'step.skipped'
  | 'step.escalated'
  | 'step.waiting';

export interface AttemptRecord {
  attempt: number;
  startedAt: number;
  endedAt?: number;
  status: AttemptStatus;
  error?: StepError;
  /** Set on compensation attempts. */
  compensation?: boolean;
}

/** Per-step state and history, kept in the execution's context. */
export interface StepRecord {
  status: StepStatus;
  attempt: number;
  attempts: AttemptRecord[];
  input?: unknown;
  output?: unknown;
  error?: StepError;
  /** Why a step was skipped (condition false, branch not taken, onError skip, operator). */
  reason?: string;
  /** Wait steps: which way the wait ended. */
  outcome?: 'signal' | 'timeout';
  /** The last progress a heartbeat reported. */
  progress?: unknown;
  /** Human steps: who is asked now, how many escalations happened, and everyone asked so far in order. */
  assignee?: string;
  escalationLevel?: number;
  escalationChain?: string[];
  /** Set when the step (or its compensation) escalated: who was asked to resolve it (the `escalationTarget`). */
  escalationTarget?: string;
  /** The attempt counter when an operator rewound the execution to run this step again: retries count from here. */
  attemptBase?: number;
  /** Wait steps: the rendered correlation key (an execution wait: the watched execution's id). */
  key?: string;
  /** Workflow steps: the current attempt's child execution. */
  child?: string;
  startedAt?: number;
  endedAt?: number;
}

/**
 * Who is told when an execution ends: its parent's `workflow` step
 * (`child`), a parent's compensation attempt (`compensation`), or a wait
 * step of another execution (`wait`). The notice is a reply to that step's
 * attempt, so a notice for an old attempt is stale like any late reply.
 */
export interface Watcher {
  executionId: string;
  step: string;
  attempt: number;
  mode: 'child' | 'compensation' | 'wait';
}

/** An in-memory timer's due time and what it fires, enough to re-arm it from the snapshot. */
export interface VolatileTimer {
  step: string;
  attempt: number;
  timer: TimerKind;
  dueAt: number;
}

/** Why the execution stopped scheduling new steps. */
export interface Failure {
  step: string;
  onError: 'fail' | 'compensate' | 'abort';
  error?: StepError;
}

export interface CompensationProgress {
  /** Steps to compensate, in the order they run (reverse completion order). */
  queue: string[];
  index: number;
  attempt: number;
  input?: unknown;
}

/** One operator rewind (retry from a step): which step, when, which steps it reset, what the execution was. */
export interface RewindRecord {
  id: string;
  at: number;
  fromStep: string;
  steps: string[];
  previousStatus: 'failed' | 'escalated';
}

export interface ExecutionContext {
  executionId: string;
  workflow: string;
  version: number;
  input: JsonObject;
  steps: Record<string, StepRecord>;
  /** Completed steps in completion order (the saga runs compensations in reverse). */
  completed: string[];
  failure?: Failure;
  compensation?: CompensationProgress;
  cancelReason?: string;
  /** 0–9: higher-priority steps are dispatched first to a saturated squad. */
  priority?: number;
  /** Paused by an operator: no new step starts, timers wait. */
  paused?: boolean;
  /** Durable timers and waits currently armed, so terminal states can release them. */
  timers: string[];
  /**
   * Armed step timeouts (`timeout`, `compensation-timeout`), which live only
   * in the orchestrator's memory: they are re-armed from here after a
   * restart instead of being written to (and deleted from) KV on every attempt.
   */
  volatileTimers?: Record<string, VolatileTimer>;
  waits: Array<{ key: string; step: string }>;
  /** The execution whose `workflow` step started this one (docs/child-workflows.md). */
  parent?: { executionId: string; step: string };
  /** Who is told when this execution ends. */
  watchers?: Watcher[];
  /** Child executions still running, cancelled when their step stops waiting or this execution ends. */
  children?: Array<{ executionId: string; step: string }>;
  /** Effects of the last event; the engine clears it before the next one. */
  outbox: Effect[];
  /** Time of the event being processed (set by the engine; the machine never reads a clock). */
  now: number;
  startedAt: number;
  endedAt?: number;
  /**
   * Rewinds so far, oldest first. Their count also marks the ids of the
   * lifecycle events published after them, so an event of a run after a
   * rewind is never taken for a copy of one before it.
   */
  rewinds?: RewindRecord[];
}

export interface MachineInput {
  executionId: string;
  workflow: string;
  version: number;
  input: JsonObject;
  at: number;
  /** 0–9, higher first (queued executions, saturated squads). */
  priority?: number;
  /** Set for a child execution: its parent step's attempt, told when this one ends. */
  parent?: { executionId: string; step: string; attempt: number };
  /** Watchers that asked while the execution was pending. */
  watchers?: Watcher[];
}
