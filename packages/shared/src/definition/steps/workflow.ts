import { z } from 'zod';
import { DurationSchema } from '../../duration.ts';
import type { FieldIssue } from '../../errors.ts';
import { checkMapping, commonStepFields, InputMappingSchema, NameSchema, OnErrorSchema, RetryPolicySchema } from './common.ts';

/**
 * A `workflow` step's part of the definition schema: it starts another
 * workflow as a child execution, waits for it to end and takes its output
 * (the engine's compile/steps/workflow.ts; docs/child-workflows.md).
 */
export const WorkflowStepSchema = z.strictObject({
  ...commonStepFields,
  type: z.literal('workflow'),
  /** The child workflow's name. */
  workflow: NameSchema,
  /** Pins the child's definition version; defaults to the latest when the child starts. */
  version: z.number().int().positive().optional(),
  /** The child's context (must give a JSON object); defaults to this execution's context. */
  input: InputMappingSchema.optional(),
  /** Per attempt (one child per attempt); without one the step waits as long as its child runs. */
  timeout: DurationSchema.optional(),
  /** A retry starts a new child execution. */
  retry: RetryPolicySchema.optional(),
  /** Default: `fail`, or `skip` when the workflow sets `continueOnError`. */
  onError: OnErrorSchema.optional(),
  /**
   * When this execution's saga compensates the step, the child runs its own
   * compensations (default true); `false` leaves a completed child as it is.
   */
  compensate: z.boolean().default(true),
});

/** What a workflow step's fields mean beyond their shape: its input mapping parses. */
export function checkWorkflowStep(step: z.output<typeof WorkflowStepSchema>, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  checkMapping(issues, `${at}.input`, step.name, step.input);
  return issues;
}
