import { z } from 'zod';
import {
  AttemptStatusSchema,
  JsonObjectSchema,
  StepErrorSchema,
  StepStatusSchema,
  TimerKindSchema,
  toFieldIssues,
  type FieldIssue,
} from '@squadflow/shared';
import { kindRecordFields } from './steps/index.ts';
import type { AttemptRecord, Effect, ExecutionContext, StepRecord } from './types.ts';

/**
 * The execution context the machine keeps (its XState snapshot's `context`),
 * as a schema the read model (execution-view.ts, metrics.ts) decodes stored
 * snapshots with, instead of trusting a cast. The machine's hand-written
 * types (types.ts) are checked below to agree with it. Unknown fields are dropped, so an older snapshot with a
 * field since removed still decodes.
 */

export const AttemptRecordSchema = z.object({
  attempt: z.number().int(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  status: AttemptStatusSchema,
  error: StepErrorSchema.optional(),
  /** Set on compensation attempts. */
  compensation: z.boolean().optional(),
});

/** Per-step state and history: the fields every kind has, plus each kind's own (steps/). */
export const StepRecordSchema = z.object({
  status: StepStatusSchema,
  attempt: z.number().int(),
  attempts: z.array(AttemptRecordSchema),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: StepErrorSchema.optional(),
  /** Why a step was skipped (condition false, branch not taken, onError skip, operator). */
  reason: z.string().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** Set when the step (or its compensation) escalated: who was asked to resolve it (the `escalationTarget`). */
  escalationTarget: z.string().optional(),
  /** The attempt counter when an operator rewound the execution to run this step again: retries count from here. */
  attemptBase: z.number().int().optional(),
  ...kindRecordFields,
});

/** An in-memory timer's due time and what it fires, enough to re-arm it from the snapshot. */
export const VolatileTimerSchema = z.object({ step: z.string(), attempt: z.number().int(), timer: TimerKindSchema, dueAt: z.number() });

/** Why the execution stopped scheduling new steps. */
export const FailureSchema = z.object({
  step: z.string(),
  onError: z.enum(['fail', 'compensate', 'abort']),
  error: StepErrorSchema.optional(),
});

export const CompensationProgressSchema = z.object({
  /** Steps to compensate, in the order they run (reverse completion order). */
  queue: z.array(z.string()),
  index: z.number().int(),
  attempt: z.number().int(),
  input: z.unknown().optional(),
});

export const WatcherSchema = z.object({
  executionId: z.string(),
  step: z.string(),
  attempt: z.number().int(),
  mode: z.enum(['child', 'compensation', 'wait']),
});

export const RewindRecordSchema = z.object({
  id: z.string(),
  at: z.number(),
  fromStep: z.string(),
  steps: z.array(z.string()),
  previousStatus: z.enum(['failed', 'escalated']),
});

export const ExecutionContextSchema = z.object({
  executionId: z.string(),
  workflow: z.string(),
  version: z.number().int(),
  input: JsonObjectSchema,
  steps: z.record(z.string(), StepRecordSchema),
  /** Completed steps in completion order (the saga runs compensations in reverse). */
  completed: z.array(z.string()),
  failure: FailureSchema.optional(),
  compensation: CompensationProgressSchema.optional(),
  cancelReason: z.string().optional(),
  /** 0–9: higher-priority steps are dispatched first to a saturated squad. */
  priority: z.number().int().optional(),
  /** Paused by an operator: no new step starts, timers wait. */
  paused: z.boolean().optional(),
  /** Durable timers and waits currently armed, so terminal states can release them. */
  timers: z.array(z.string()),
  /**
   * Armed step timeouts (`timeout`, `compensation-timeout`), which live only
   * in the orchestrator's memory: they are re-armed from here after a
   * restart instead of being written to (and deleted from) KV on every attempt.
   */
  volatileTimers: z.record(z.string(), VolatileTimerSchema).optional(),
  waits: z.array(z.object({ key: z.string(), step: z.string() })),
  /** The execution whose `workflow` step started this one (docs/child-workflows.md). */
  parent: z.object({ executionId: z.string(), step: z.string() }).optional(),
  /** Who is told when this execution ends. */
  watchers: z.array(WatcherSchema).optional(),
  /** Child executions still running, cancelled when their step stops waiting or this execution ends. */
  children: z.array(z.object({ executionId: z.string(), step: z.string() })).optional(),
  /** Effects of the last event (the engine clears it before the next one); the read model does not interpret them. */
  outbox: z.array(z.custom<Effect>()),
  /** Time of the event being processed (set by the engine; the machine never reads a clock). */
  now: z.number(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  /** Operator rewinds (retry from a step), oldest first. */
  rewinds: z.array(RewindRecordSchema).optional(),
});

/** The machine's types (types.ts) and the schema must describe the same data: checked here, both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type SchemaAgreesWithTypes = [
  Expect<Same<z.output<typeof AttemptRecordSchema>, AttemptRecord>>,
  Expect<Same<z.output<typeof StepRecordSchema>, StepRecord>>,
  Expect<Same<z.output<typeof ExecutionContextSchema>, ExecutionContext>>,
];

/** A stored snapshot, as far as the read model needs it: its context. */
const StoredSnapshotSchema = z.object({ context: ExecutionContextSchema });

/**
 * A stored snapshot whose context does not decode: a corrupt record, or one
 * written by an incompatible version. Reported with the fields at fault,
 * never read as a cast.
 */
export class StoredSnapshotError extends Error {
  override readonly name = 'StoredSnapshotError';
  readonly code = 'INVALID_SNAPSHOT';
  constructor(
    readonly executionId: string,
    readonly issues: FieldIssue[],
    options?: { cause?: unknown },
  ) {
    super(`execution ${executionId}: stored snapshot does not decode: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, options);
  }
}

/** The context of a stored snapshot (undefined for a record without one, i.e. pending); throws `StoredSnapshotError` on a malformed one. */
export function decodeContext(executionId: string, snapshot: unknown): ExecutionContext | undefined {
  if (snapshot === undefined) return undefined;
  const parsed = StoredSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new StoredSnapshotError(executionId, toFieldIssues(parsed.error.issues, 'snapshot'), { cause: parsed.error });
  return parsed.data.context;
}
