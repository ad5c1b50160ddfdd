import { z } from 'zod';
import { DurationSchema } from '../../duration.ts';
import type { FieldIssue } from '../../errors.ts';
import { compileExpression } from '../../expressions.ts';

/** The parts of the definition schema that every step kind shares (field semantics: docs/definitions.md). */

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

/** Who resolves an escalation: a recipient name of the notifier, an e-mail address, a phone number or a service's name. */
export const EscalationTargetSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^\S(?:.*\S)?$/, 'must not start or end with whitespace');

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

/** The fields every step kind has. */
export const commonStepFields = {
  name: NameSchema,
  /** Runs the step only when this is true; otherwise it is skipped and dependants still run. */
  condition: ExpressionSchema.optional(),
  /** Wait this long (durably) once the step is ready, before it starts. */
  delay: DurationSchema.optional(),
  dependsOn: z.array(DependencySchema).default([]),
  description: z.string().max(2_000).optional(),
};

/** Runs a compile-time check of one field of a step; a throw becomes an issue naming the step. */
export function checkField(issues: FieldIssue[], path: string, step: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    issues.push({ path, message: `step "${step}": ${(err as Error).message}` });
  }
}

/** Checks that each expression of an input mapping parses. */
export function checkMapping(
  issues: FieldIssue[],
  path: string,
  step: string,
  mapping: z.output<typeof InputMappingSchema> | undefined,
): void {
  if (mapping === undefined) return;
  if (typeof mapping === 'string') return checkField(issues, path, step, () => compileExpression(mapping));
  for (const [key, source] of Object.entries(mapping)) checkField(issues, `${path}.${key}`, step, () => compileExpression(source));
}
