import { z } from 'zod';
import { DurationSchema } from '../duration.ts';

/**
 * The JSON-serializable workflow definition. Files, the HTTP API and the
 * TypeScript builder all produce this shape; the engine compiles it to a
 * statechart. Field semantics are documented in docs/definitions.md.
 */

/** Workflow, squad, action and step names: safe as subject tokens and KV keys. */
export const NameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter and contain only letters, digits, "_" or "-" (max 64)');

/** A JSONata expression (see expressions.ts for the data model). */
export const ExpressionSchema = z.string().min(1, 'expression is empty');

export const RetryPolicySchema = z.strictObject({
  /** Retries after the first attempt (the seeds' `retry_on_failure`). */
  retries: z.number().int().min(0).max(100).default(0),
  /** Backoff before the first retry. */
  initialInterval: DurationSchema.default('1s'),
  /** Each further backoff is the previous one times this. */
  backoffCoefficient: z.number().min(1).max(100).default(2),
  /** Upper bound of a single backoff. */
  maxInterval: DurationSchema.default('5m'),
  /** Fraction of each backoff that is randomised (deterministically per attempt). */
  jitter: z.number().min(0).max(1).default(0.2),
});

/**
 * What happens when a step fails for good (retries exhausted, or a non-retryable error):
 * `fail` the execution, `skip` the step and go on, `compensate` (saga), `escalate`
 * to a person (retry / skip / abort by signal), or `pause` the execution until an
 * operator resumes it (the step then runs again).
 */
export const OnErrorSchema = z.enum(['fail', 'skip', 'compensate', 'escalate', 'pause']);

/**
 * `"a"` waits for step a to settle (completed or skipped). `{ step, on }` also
 * requires an outcome, otherwise this step is skipped (a branch not taken):
 * `completed` / `skipped` for any step, `signal` / `timeout` for a wait or human step.
 */
export const DependencySchema = z.union([
  NameSchema,
  z.strictObject({ step: NameSchema, on: z.enum(['completed', 'skipped', 'signal', 'timeout']) }),
]);

/** How a step's input is built: one expression, or an object of expressions. */
export const InputMappingSchema = z.union([ExpressionSchema, z.record(z.string(), ExpressionSchema)]);

const commonStepFields = {
  name: NameSchema,
  /** Runs the step only when this is true; otherwise it is skipped and dependants still run. */
  condition: ExpressionSchema.optional(),
  /** Wait this long (durably) once the step is ready, before it starts. */
  delay: DurationSchema.optional(),
  dependsOn: z.array(DependencySchema).default([]),
  description: z.string().max(2_000).optional(),
};

export const CompensationSchema = z.strictObject({
  /** Defaults to the step's squad. */
  squad: NameSchema.optional(),
  action: NameSchema,
  /** Defaults to `{ context, output }` of the step being compensated. */
  input: InputMappingSchema.optional(),
});

export const TaskStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('task'),
  squad: NameSchema,
  action: NameSchema,
  /** Defaults to the execution context. */
  input: InputMappingSchema.optional(),
  retry: RetryPolicySchema.optional(),
  /** Per attempt; defaults to the workflow's `defaults.timeout` (30 s). */
  timeout: DurationSchema.optional(),
  /** Default: `fail`, or `skip` when the workflow sets `continueOnError`. */
  onError: OnErrorSchema.optional(),
  /**
   * A circuit breaker on this step's squad action, shared by every execution
   * (state per squad action in KV): after `failureThreshold` consecutive
   * failures it opens; while open, attempts fail at once (`whileOpen: fail`:
   * a non-retryable CIRCUIT_OPEN error, then the step's onError decides)
   * or wait for it to close (`wait`: the attempt is retried when the breaker
   * half-opens, without using up a retry); after `resetAfter` one probe goes
   * through (half-open) and its result closes or reopens the breaker.
   */
  circuitBreaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).max(1_000).default(5),
      resetAfter: DurationSchema.default('30s'),
      whileOpen: z.enum(['fail', 'wait']).default('fail'),
    })
    .optional(),
  /** JSON Schema the step's output must satisfy (pipelines: validation between stages); a bad output fails the step without retry. */
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  compensate: CompensationSchema.optional(),
});

export const WaitStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('wait'),
  /** Correlation key template, e.g. `ai_conversation_{phone}` (placeholders are expressions). */
  signal: z.string().min(1),
  /** Without a timeout the step waits until the signal comes or the execution is cancelled. */
  timeout: DurationSchema.optional(),
  /** A signal that arrived up to this long before the wait began still resumes it (default 60 s; 0 turns it off). */
  lookback: DurationSchema.optional(),
});

const withDefaultType = (value: unknown): unknown =>
  value && typeof value === 'object' && !Array.isArray(value) && !('type' in value) ? { ...value, type: 'task' } : value;

/**
 * A task for a person: completed by a signal carrying the decision (key
 * `signal`, default `human_{$execution.id}_{step}`), which later steps read as
 * `$steps.<name>` (e.g. `$steps.review.approved`). `escalations` fire in order
 * while nobody decides (after 24 h notify A, after 48 h escalate to B): each
 * one publishes a `step.escalated` lifecycle event naming the new assignee.
 * `timeout` ends the wait with the `timeout` outcome.
 */
export const HumanStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('human'),
  assignee: z.string().min(1).max(256),
  /** What the person is asked (shown by task inboxes, carried in lifecycle events). */
  title: z.string().max(500).optional(),
  signal: z.string().min(1).optional(),
  timeout: DurationSchema.optional(),
  escalations: z
    .array(z.strictObject({ after: DurationSchema, to: z.string().min(1).max(256) }))
    .max(10)
    .default([]),
  /** As for wait steps: a decision sent shortly before the task began still completes it (default 60 s). */
  lookback: DurationSchema.optional(),
});

export const StepSchema = z.preprocess(withDefaultType, z.discriminatedUnion('type', [TaskStepSchema, WaitStepSchema, HumanStepSchema]));

export const WorkflowDefinitionSchema = z.strictObject({
  name: NameSchema,
  /** Set by the registry; a definition file may pin it. */
  version: z.number().int().positive().optional(),
  description: z.string().max(10_000).optional(),
  /** JSON Schema (draft 2020-12) that every trigger context must satisfy. */
  contextSchema: z.record(z.string(), z.unknown()).optional(),
  defaults: z
    .strictObject({
      timeout: DurationSchema.default('30s'),
      retry: RetryPolicySchema.optional(),
    })
    .default({ timeout: '30s' }),
  steps: z.array(StepSchema).min(1, 'a workflow needs at least one step'),
  /**
   * Events on NATS subjects (outside squadflow's prefix) that start this
   * workflow, or, with `signal`, resume a running one: `condition` filters
   * (JSONata over the event payload), `context` maps the event to the new
   * execution's context (default: the event), `signal` gives the correlation
   * key the event is delivered to, `idempotencyKey` names the event (default:
   * a hash of subject and payload, so a redelivered event starts nothing twice).
   */
  events: z
    .array(
      z.strictObject({
        subject: z
          .string()
          .regex(
            /^(?:[^\s.*>]+|\*)(?:\.(?:[^\s.*>]+|\*))*(?:\.>)?$/,
            'not a NATS subject (tokens separated by ".", wildcards "*" and a final ">")',
          ),
        condition: ExpressionSchema.optional(),
        context: ExpressionSchema.optional(),
        signal: ExpressionSchema.optional(),
        idempotencyKey: ExpressionSchema.optional(),
      }),
    )
    .max(20)
    .optional(),
  /**
   * At most `limit` executions of this workflow run at once; the excess waits
   * as `pending`, and the highest `priority` (then the oldest) starts when a
   * running one ends. Shared by every orchestrator replica (KV compare-and-set).
   */
  concurrency: z.strictObject({ limit: z.number().int().min(1).max(100_000) }).optional(),
  /** Seed 002's `continue_on_error`: steps without their own `onError` are skipped when they fail, and the workflow goes on. */
  continueOnError: z.boolean().optional(),
  /** Expression for the execution's output; defaults to every step's output by name. */
  output: ExpressionSchema.optional(),
  /**
   * Workflows to start when an execution completes (handoffs). `input` maps
   * the output (`$output`, also `$context`, `$steps`) to the next context;
   * default: the output itself. `when` is a condition over the same data.
   * The next execution's idempotency key is derived from this execution, so
   * it starts once.
   */
  then: z
    .array(z.strictObject({ workflow: NameSchema, input: ExpressionSchema.optional(), when: ExpressionSchema.optional() }))
    .max(16)
    .optional(),
});

export type RetryPolicy = z.output<typeof RetryPolicySchema>;
export type OnError = z.output<typeof OnErrorSchema>;
export type Dependency = z.output<typeof DependencySchema>;
export type InputMapping = z.output<typeof InputMappingSchema>;
export type TaskStep = z.output<typeof TaskStepSchema>;
export type WaitStep = z.output<typeof WaitStepSchema>;
export type HumanStep = z.output<typeof HumanStepSchema>;
export type Step = TaskStep | WaitStep | HumanStep;
/** A validated definition with defaults filled in. */
export type WorkflowDefinition = z.output<typeof WorkflowDefinitionSchema>;
/** A definition as written (defaults optional). */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
export type TaskStepInput = Omit<z.input<typeof TaskStepSchema>, 'type'> & { type?: 'task' };
export type WaitStepInput = z.input<typeof WaitStepSchema>;
