import { z } from 'zod';
import { NameSchema } from '../definition/schema.ts';
import { DurationSchema } from '../duration.ts';

/** Where one person or role is reached; any of the three channels, at least one. */
export const RecipientSchema = z
  .strictObject({
    email: z.email().optional(),
    /** International phone number (`+55 11 99999-9999`). */
    whatsapp: z
      .string()
      .regex(/^\+?[\d\s().-]{8,24}$/, 'must be an international phone number like +55 11 99999-9999')
      .optional(),
    webhook: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  })
  .refine((r) => r.email !== undefined || r.whatsapp !== undefined || r.webhook !== undefined, 'needs email, whatsapp or webhook');
export type Recipient = z.output<typeof RecipientSchema>;

/** A recipient name: a key of `recipients` (an assignee or role as workflows write it), or an e-mail address or phone number itself. */
const RecipientRefSchema = z.string().min(1).max(256);

/**
 * Who the notifier tells what (docs/alerts.md). Assignees and escalation
 * targets of human tasks are looked up in `recipients` by the name the
 * workflow gives them; a name that is itself an e-mail address or an
 * international phone number is reached there directly.
 */
export const NotifyConfigSchema = z.strictObject({
  recipients: z.record(RecipientRefSchema, RecipientSchema).default({}),
  /** Who receives `alert.*` events (the default route for alerts). */
  alerts: z.array(RecipientRefSchema).default([]),
  /** Who receives `execution.escalated` (a step's `onError: escalate`): per workflow, else `default`. */
  escalations: z
    .strictObject({
      default: z.array(RecipientRefSchema).default([]),
      workflows: z.record(NameSchema, z.array(RecipientRefSchema)).default({}),
    })
    .default({ default: [], workflows: {} }),
  /** Sender address of e-mails. */
  emailFrom: z.string().min(3).default('squadflow <squadflow@localhost>'),
  /** Tries of one delivery before it is given up (logged and counted), with exponential back-off between them. */
  attempts: z.number().int().min(1).max(20).default(5),
  retryDelay: DurationSchema.default('1s'),
  maxRetryDelay: DurationSchema.default('1m'),
  /**
   * Events older than this are not notified: a notifier that starts for the
   * first time (its consumers begin at the start of the lifecycle stream,
   * which keeps 7 days) does not replay a week of tasks and alerts.
   */
  maxEventAge: DurationSchema.default('1h'),
  /** How long one webhook or SMTP exchange may take. */
  timeout: DurationSchema.default('10s'),
});
export type NotifyConfig = z.output<typeof NotifyConfigSchema>;

/**
 * How long the notifier's ledger (`<p>_notify`) remembers a delivery: longer
 * than the lifecycle stream keeps an event (7 days), so no redelivery finds
 * it forgotten. Here because whoever creates the bucket first (the notifier,
 * or the gateway reading its counters) must give it this bound.
 */
export const NOTIFY_LEDGER_TTL_MS = 8 * 86_400_000;
