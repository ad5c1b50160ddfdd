import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { codec } from './codec.ts';
import { EpochMsSchema, ExecutionIdSchema } from './common.ts';

/** What an alert rule watches (packages/shared/src/alerts/alert-rules.ts). */
export const AlertKindSchema = z.enum(['failure_rate', 'stuck', 'breaker_open', 'escalation_unanswered']);
export type AlertKind = z.output<typeof AlertKindSchema>;

export const AlertSeveritySchema = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.output<typeof AlertSeveritySchema>;

export const AlertEventTypeSchema = z.enum(['alert.firing', 'alert.resolved']);
export type AlertEventType = z.output<typeof AlertEventTypeSchema>;

/**
 * An alert changed state, on `subjects.alert(rule, state)` (`p.alert.<rule>.<firing|resolved>`),
 * stored by the lifecycle stream. Alerts are not about one execution, so they
 * have their own envelope and subjects instead of the execution lifecycle
 * event's (whose `executionId`, `workflow` and `version` every subscriber of
 * `p.lc.>` relies on). `id` is deterministic (`<alert>.<firing count>.<state>`):
 * a republished event is deduplicated by JetStream and by notifiers.
 */
export const AlertEventSchema = z.strictObject({
  id: z.string().min(1),
  type: AlertEventTypeSchema,
  /** The alert: rule id and what it is about (`stuck_waits.checkout`). */
  alert: z.string().min(1),
  rule: NameSchema,
  kind: AlertKindSchema,
  severity: AlertSeveritySchema,
  /** One line for a person. */
  summary: z.string(),
  /** The workflow it is about, when it is about one. */
  workflow: NameSchema.optional(),
  /** The breaker it is about (`<squad>.<action>`), for `breaker_open`. */
  breaker: z.string().optional(),
  /** What was measured (a failure rate 0..1, a count of executions or breakers) and the rule's limit. */
  value: z.number(),
  threshold: z.number(),
  /** Some of the executions concerned (at most 20). */
  executions: z.array(ExecutionIdSchema).max(20).optional(),
  /**
   * Who else is told besides the alert route: for `escalation_unanswered`,
   * the escalation targets of the executions concerned (notifier recipients).
   */
  recipients: z.array(z.string().min(1).max(256)).max(20).optional(),
  /** When the alert began firing (for `alert.resolved`, the firing it ends). */
  since: EpochMsSchema,
  at: EpochMsSchema,
});
export type AlertEvent = z.output<typeof AlertEventSchema>;
export const alertCodec = codec('alert event', AlertEventSchema);
