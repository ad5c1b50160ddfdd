import { z } from 'zod';
import { DurationSchema } from '../duration.ts';
import { MAX_DEFINITION_STEPS } from './limits.ts';
import { DependencySchema, ExpressionSchema, InputMappingSchema, NameSchema, OnErrorSchema, RetryPolicySchema } from './steps/common.ts';
import { HumanStepSchema } from './steps/human.ts';
import { CompensationSchema, TaskStepSchema } from './steps/task.ts';
import { WaitStepSchema } from './steps/wait.ts';
import { WorkflowStepSchema } from './steps/workflow.ts';

export { DependencySchema, ExpressionSchema, InputMappingSchema, NameSchema, OnErrorSchema, RetryPolicySchema };
export { CompensationSchema, TaskStepSchema, WaitStepSchema, HumanStepSchema, WorkflowStepSchema };

/**
 * The JSON-serializable workflow definition. Files, the HTTP API and the
 * TypeScript builder all produce this shape; the engine compiles it to a
 * statechart. Field semantics are documented in docs/definitions.md. Each
 * step kind's part is its own module under steps/ (the engine's step-kind
 * modules compile them).
 */

const withDefaultType = (value: unknown): unknown =>
  value && typeof value === 'object' && !Array.isArray(value) && !('type' in value) ? { ...value, type: 'task' } : value;

export const StepSchema = z.preprocess(
  withDefaultType,
  z.discriminatedUnion('type', [TaskStepSchema, WaitStepSchema, HumanStepSchema, WorkflowStepSchema]),
);

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
  steps: z
    .array(StepSchema)
    .min(1, 'a workflow needs at least one step')
    .max(MAX_DEFINITION_STEPS, `at most ${MAX_DEFINITION_STEPS} steps (MAX_DEFINITION_STEPS)`),
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
export type WorkflowStep = z.output<typeof WorkflowStepSchema>;
export type Step = TaskStep | WaitStep | HumanStep | WorkflowStep;
/** A validated definition with defaults filled in. */
export type WorkflowDefinition = z.output<typeof WorkflowDefinitionSchema>;
/** A definition as written (defaults optional). */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
export type TaskStepInput = Omit<z.input<typeof TaskStepSchema>, 'type'> & { type?: 'task' };
export type WaitStepInput = z.input<typeof WaitStepSchema>;
