/**
 * Seed 004's lead as stored in the lead bucket (`<p>_leads`): the WhatsApp
 * squad writes it as the lead's workflows progress, the gateway reads it
 * (`GET /v1/leads`). Both sides hold this one schema, so neither imports the
 * other (squads and gateway are separate packages, docs/architecture.md).
 */
import { z } from 'zod';
import { encodeToken } from '../subjects.ts';

/** Where a lead stands, from the form to the conversation (seed 004's "ARQUITETURA IMPLEMENTADA"). */
export const LEAD_STATUSES = [
  'new',
  'qualified',
  'not_qualified',
  'template_sent',
  'activated',
  'conversing',
  'reminded',
  'opted_out',
  'handoff',
] as const;
export const LeadStatusSchema = z.enum(LEAD_STATUSES);
export type LeadStatus = z.output<typeof LeadStatusSchema>;

/** A record keeps at most this many history entries (the oldest go first): a KV value must stay under NATS's max payload. */
export const MAX_LEAD_HISTORY = 200;

export const LeadHistoryEntrySchema = z.object({
  status: LeadStatusSchema,
  /** Epoch ms when the squad recorded the change. */
  at: z.number().int().nonnegative(),
  /** The execution whose step made the change. */
  executionId: z.string(),
  step: z.string().optional(),
  /** A short why: the intent of the answered message, the button payload, ... */
  note: z.string().max(500).optional(),
});
export type LeadHistoryEntry = z.output<typeof LeadHistoryEntrySchema>;

// Loose: a field a newer squad adds survives an older one's rewrite.
export const LeadRecordSchema = z.looseObject({
  /** E.164 digits without `+` (what WhatsApp's `from` carries). */
  phone: z.string().regex(/^\d{8,15}$/),
  name: z.string().optional(),
  status: LeadStatusSchema,
  segment: z.string().optional(),
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
  /** Every status change, oldest first (bounded by {@link MAX_LEAD_HISTORY}). */
  history: z.array(LeadHistoryEntrySchema),
});
export type LeadRecord = z.output<typeof LeadRecordSchema>;

/** The lead's KV key: its phone digits (encoded anyway: the number comes from outside). */
export const leadKey = (phone: string): string => encodeToken(phone.replace(/\D/g, ''));
