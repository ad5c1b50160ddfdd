/**
 * zod schemas of what the routes take and answer. Request schemas validate;
 * response schemas document (OpenAPI) the engine's views as they are sent.
 */
import {
  AttemptStatusSchema,
  DurationSchema,
  ExecutionIdSchema,
  ExecutionStatusSchema,
  JsonObjectSchema,
  NameSchema,
  StepStatusSchema,
} from '@squadflow/shared';
import { z } from 'zod';

const EpochMs = z.number().int().describe('epoch milliseconds');

export const ExecutionIdParams = z.object({ id: ExecutionIdSchema });
export const WorkflowNameParams = z.object({ name: NameSchema });
export const ScheduleIdParams = z.object({ id: NameSchema.describe('the schedule id (`sch_…` when generated)') });

/** Signal keys become subject tokens and KV keys (encoded, up to 3 characters a byte): bounded in bytes, like the engine client. */
const MAX_SIGNAL_KEY_BYTES = 512;
export const SignalKeyParams = z.object({
  key: z
    .string()
    .min(1)
    .refine((key) => Buffer.byteLength(key) <= MAX_SIGNAL_KEY_BYTES, `at most ${MAX_SIGNAL_KEY_BYTES} bytes (UTF-8)`)
    .describe('any text: encoded into the subject (`order.1` → `order=2E1`)'),
});

/**
 * `Idempotency-Key`: printable ASCII, at most 256 characters, no leading or
 * trailing space. It is echoed in a response header and becomes a signal id
 * (a NATS message header): a control character (CR/LF) could split a header,
 * a byte over 0x7E cannot be echoed, and trimmed whitespace would make two
 * keys one.
 */
export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'printable ASCII, without control characters or surrounding spaces');

export const FieldIssueSchema = z.object({ path: z.string(), message: z.string() });

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable code, e.g. INVALID_CONTEXT, EXECUTION_NOT_FOUND, RATE_LIMITED'),
      message: z.string(),
      issues: z.array(FieldIssueSchema),
    }),
    requestId: z.string(),
  })
  .describe('Every error answer');

const StepErrorSchema = z.object({ message: z.string(), code: z.string().optional(), retryable: z.boolean().optional() });

export const AttemptSchema = z.object({
  attempt: z.number().int(),
  startedAt: EpochMs,
  endedAt: EpochMs.optional(),
  status: AttemptStatusSchema,
  error: StepErrorSchema.optional(),
  compensation: z.boolean().optional(),
});

export const StepViewSchema = z.object({
  name: z.string(),
  status: StepStatusSchema,
  attempts: z.array(AttemptSchema),
  startedAt: EpochMs.optional(),
  endedAt: EpochMs.optional(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: StepErrorSchema.optional(),
  reason: z.string().optional(),
  outcome: z.enum(['signal', 'timeout']).optional(),
  progress: z.unknown().optional(),
  key: z.string().optional().describe('wait and human steps: the correlation key'),
  assignee: z.string().optional().describe('human steps: who is asked now'),
  escalationLevel: z.number().int().optional(),
  child: z.string().optional().describe("workflow steps: the current attempt's child execution"),
  escalationChain: z.array(z.string()).optional().describe('human steps: everyone asked so far, in order'),
  escalationTarget: z.string().optional().describe("who was asked to resolve the step's escalation (its `escalationTarget`)"),
  attemptBase: z.number().int().optional().describe('the attempt count when a retry from a step reset this step'),
});

export const RewindSchema = z.object({
  id: z.string(),
  at: EpochMs,
  fromStep: z.string(),
  steps: z.array(z.string()).describe('the steps that ran again'),
  previousStatus: z.enum(['failed', 'escalated']),
});

export const ExecutionViewSchema = z.object({
  executionId: z.string(),
  workflow: z.string(),
  version: z.number().int().optional(),
  status: ExecutionStatusSchema,
  createdAt: EpochMs,
  updatedAt: EpochMs,
  endedAt: EpochMs.optional(),
  idempotencyKey: z.string().optional(),
  context: z.record(z.string(), z.unknown()),
  output: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(FieldIssueSchema).optional() }).optional(),
  cancelReason: z.string().optional(),
  steps: z.array(StepViewSchema),
  parent: z
    .object({ executionId: z.string(), step: z.string() })
    .optional()
    .describe('a child execution: the execution and workflow step that started it (docs/child-workflows.md)'),
  children: z
    .array(z.object({ executionId: z.string(), step: z.string(), attempt: z.number().int() }))
    .optional()
    .describe("the child executions this execution's workflow steps started, one per attempt"),
  held: z.literal(true).optional().describe('created with `start=false` and not started yet (`POST /v1/executions/{id}/start`)'),
  rewinds: z.array(RewindSchema).optional().describe('retries from a step (operator rewinds), oldest first'),
  archived: z.literal(true).optional().describe('read from the archive: the execution ended and left the hot store (docs/retention.md)'),
  archivedAt: EpochMs.optional(),
});

const StepDetailSchema = StepViewSchema.extend({
  timers: z.array(z.object({ kind: z.string(), attempt: z.number().int(), dueAt: EpochMs })).optional(),
  nextRetryAt: EpochMs.optional().describe('backing off: when the next attempt starts'),
  delayUntil: EpochMs.optional(),
  attemptDeadline: EpochMs.optional().describe("the running attempt's timeout"),
  deadline: EpochMs.optional().describe("a wait's or human task's timeout"),
  nextEscalationAt: EpochMs.optional(),
});

/** `GET /v1/executions/{id}`: the view plus what is armed now. */
export const ExecutionDetailSchema = ExecutionViewSchema.extend({
  steps: z.array(StepDetailSchema),
  waits: z.array(z.object({ key: z.string(), step: z.string(), purpose: z.enum(['wait', 'escalation']), deadline: EpochMs.optional() })),
  escalation: z
    .object({
      step: z.string(),
      key: z.string(),
      actions: z.array(z.enum(['retry', 'skip', 'abort'])),
      target: z.string().optional().describe("who is asked to resolve it (the step's `escalationTarget`)"),
    })
    .optional(),
});

export const ExecutionPageSchema = z.object({
  executions: z.array(ExecutionViewSchema),
  nextCursor: z.string().optional().describe('pass as `cursor` for the next page; absent on the last page'),
});

export const AcceptedExecutionSchema = z.object({
  executionId: z.string(),
  idempotencyKey: z.string().describe("the key the execution id derives from: the caller's, or one the gateway generated"),
  status: ExecutionStatusSchema.optional(),
  location: z.string().describe('where to poll: /v1/executions/{id}'),
});

export const ControlAcceptedSchema = z.object({
  executionId: z.string(),
  action: z.enum(['cancel', 'pause', 'resume', 'retry', 'skip', 'abort']),
  accepted: z.literal(true),
});

export const SignalAcceptedSchema = z.object({ key: z.string(), signalId: z.string() });

export const WorkflowSummarySchema = z.object({
  name: z.string(),
  version: z.number().int(),
  description: z.string().optional(),
  steps: z.number().int(),
});

export const WorkflowVersionSchema = z.object({
  version: z.number().int(),
  createdAt: z.number().optional().describe('when it was registered (epoch ms); absent for versions registered before this was recorded'),
  steps: z.number().int(),
  description: z.string().optional(),
});

export const RegisteredWorkflowSchema = z.object({ name: z.string(), version: z.number().int(), created: z.boolean() });

export const ChartStateSchema = z
  .object({ id: z.string(), type: z.string(), initial: z.string().optional(), entry: z.array(z.string()) })
  .catchall(z.unknown())
  .describe('the compiled XState statechart: nested `states`, `transitions` with event, target, guard, actions');

export const MetricsSchema = z.object({
  total: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  successRate: z.number().nullable(),
  active: z.number().int(),
  steps: z.array(z.object({ workflow: z.string(), step: z.string(), count: z.number().int(), p50Ms: z.number(), p95Ms: z.number() })),
});

export const HealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  transport: z.string().optional(),
  reason: z.string().optional(),
});

/** `?wait=30s`, `?wait=1500` (ms) or ISO 8601 `PT5S`. */
export const WaitQuerySchema = z.string().min(1).describe('how long to wait for the end: "30s", "1500" (ms), "PT5S"');

/**
 * A schedule as callers write it (docs/schedules.md). It documents the body;
 * the engine validates it (`normalizeSpec`: exactly one of cron, every, at;
 * the cron expression, the time zone), naming each field at fault.
 */
export const ScheduleSpecSchema = z
  .strictObject({
    id: NameSchema.optional().describe('generated (`sch_…`) when omitted; a taken id is 409 CONFLICT'),
    workflow: NameSchema,
    version: z.number().int().positive().optional().describe('pin a definition version (default: the latest at each run)'),
    context: JsonObjectSchema.optional().describe('the context of every run (default {})'),
    cron: z.string().optional().describe('5 fields, or 6 with seconds first; read in `timezone`'),
    timezone: z.string().optional().describe('IANA zone (default UTC)'),
    every: DurationSchema.optional().describe('fixed interval aligned to the Unix epoch, at least 100 ms'),
    at: z.union([z.number().int().nonnegative(), z.string()]).optional().describe('one shot: epoch ms or ISO 8601'),
    overlap: z.enum(['skip', 'queue', 'allow']).optional(),
    catchUp: z.enum(['latest', 'skip']).optional(),
  })
  .describe('exactly one of cron, every and at');

const SlotOutcomeSchema = z.object({
  slot: EpochMs,
  at: EpochMs,
  result: z.enum(['started', 'skipped', 'queued', 'missed', 'failed']),
  executionId: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const ScheduleViewSchema = z.object({
  id: z.string(),
  workflow: z.string(),
  version: z.number().int().optional(),
  context: z.record(z.string(), z.unknown()),
  cron: z.string().optional(),
  timezone: z.string(),
  every: DurationSchema.optional(),
  at: EpochMs.optional(),
  overlap: z.enum(['skip', 'queue', 'allow']),
  catchUp: z.enum(['latest', 'skip']),
  state: z.enum(['active', 'paused', 'done']),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  nextAt: EpochMs.optional().describe('the earliest slot not yet claimed'),
  lastSlot: EpochMs.optional(),
  lastExecutionId: z.string().optional(),
  queuedSlot: EpochMs.optional(),
  lastOutcome: SlotOutcomeSchema.optional(),
});
