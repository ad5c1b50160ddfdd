import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { DurationSchema } from '../duration.ts';
import { AlertSeveritySchema } from '../messages/alert.ts';

/**
 * Alert rules as configured (docs/alerts.md). Each rule has an id (a name:
 * it becomes a subject token and a KV key part) and a kind; `workflow`
 * narrows a rule to one workflow, else it watches each workflow on its own.
 */
const common = {
  id: NameSchema,
  severity: AlertSeveritySchema.default('warning'),
};

/** Too many of a workflow's executions created within `window` ended failed (or compensated). */
export const FailureRateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('failure_rate'),
  workflow: NameSchema.optional(),
  window: DurationSchema.default('15m'),
  /** Failed share of ended executions, 0..1, above which the alert fires. */
  threshold: z.number().min(0).max(1),
  /** Fewer ended executions in the window than this never fire (one failure of one is not a rate). */
  minExecutions: z.number().int().min(1).default(10),
});

/** Executions in one of `statuses` (or, with `step`, in that step) for longer than `limit`. */
export const StuckRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('stuck'),
  workflow: NameSchema.optional(),
  statuses: z
    .array(z.enum(['pending', 'running', 'waiting', 'paused', 'escalated']))
    .min(1)
    .default(['running', 'waiting']),
  /** Only executions whose step of this name has been running or waiting longer than `limit`. */
  step: NameSchema.optional(),
  limit: DurationSchema,
});

/** A circuit breaker (`<squad>.<action>`) open (or half-open) for at least `for`. */
export const BreakerOpenRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('breaker_open'),
  squad: NameSchema.optional(),
  action: NameSchema.optional(),
  for: DurationSchema.default(0),
});

/** Executions parked as `escalated` with nobody resolving them for longer than `limit`. */
export const EscalationUnansweredRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('escalation_unanswered'),
  workflow: NameSchema.optional(),
  limit: DurationSchema,
});

export const AlertRuleSchema = z.discriminatedUnion('kind', [
  FailureRateRuleSchema,
  StuckRuleSchema,
  BreakerOpenRuleSchema,
  EscalationUnansweredRuleSchema,
]);
export type AlertRule = z.output<typeof AlertRuleSchema>;
export type FailureRateRule = z.output<typeof FailureRateRuleSchema>;
export type StuckRule = z.output<typeof StuckRuleSchema>;
export type BreakerOpenRule = z.output<typeof BreakerOpenRuleSchema>;
export type EscalationUnansweredRule = z.output<typeof EscalationUnansweredRuleSchema>;
