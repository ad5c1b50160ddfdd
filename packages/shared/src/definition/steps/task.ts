import { z } from 'zod';
import { DurationSchema } from '../../duration.ts';
import type { FieldIssue } from '../../errors.ts';
import { compileJsonSchema } from '../../json-schema.ts';
import {
  checkField,
  checkMapping,
  commonStepFields,
  EscalationTargetSchema,
  InputMappingSchema,
  NameSchema,
  OnErrorSchema,
  RetryPolicySchema,
} from './common.ts';

/** A task step's part of the definition schema: a command to a squad action (the engine's compile/steps/task.ts). */

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
   * Who resolves this step's escalation (`onError: escalate`, or a failed
   * compensation under `onError: compensate`): a person, a team or a service
   * (a name of the notifier's `recipients`, an e-mail address or a phone
   * number). Recorded on the step, carried by `execution.escalated`, and told
   * by the notifier.
   */
  escalationTarget: EscalationTargetSchema.optional(),
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

/** What a task step's fields mean beyond their shape: its input mappings parse, its output schema compiles. */
export function checkTaskStep(step: z.output<typeof TaskStepSchema>, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  checkMapping(issues, `${at}.input`, step.name, step.input);
  checkMapping(issues, `${at}.compensate.input`, step.name, step.compensate?.input);
  if (step.escalationTarget !== undefined && step.onError !== 'escalate' && step.onError !== 'compensate') {
    issues.push({
      path: `${at}.escalationTarget`,
      message: `step "${step.name}": escalationTarget needs onError "escalate" or "compensate" (a failed compensation escalates), not "${step.onError ?? 'fail'}"`,
    });
  }
  const schema = step.outputSchema;
  if (schema) checkField(issues, `${at}.outputSchema`, step.name, () => compileJsonSchema(schema, 'output'));
  return issues;
}
