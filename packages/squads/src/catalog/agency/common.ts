import { toFieldIssues } from '@squadflow/shared';
import { z, type ZodType } from 'zod';
import { NonRetryableError } from '../../errors.ts';

/** Error code of a handoff input the validate action rejects (schema or business rule). */
export const INVALID_HANDOFF_INPUT = 'INVALID_HANDOFF_INPUT';

/** One field at fault, zod-style dotted path. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The five handoffs, in the order the agency's work flows. */
export const HANDOFF_CHAIN = [
  'offer_to_marketing',
  'marketing_to_sales',
  'sales_to_fulfillment',
  'fulfillment_to_feedback',
  'feedback_to_offer',
] as const;
export type HandoffName = (typeof HANDOFF_CHAIN)[number];

/**
 * One handoff between two domains: what it accepts, the business rules the
 * schema cannot say, and the deterministic transformation into the target
 * domain's `handoff_data`.
 */
export interface Handoff<I = unknown, D = unknown> {
  name: HandoffName;
  description: string;
  sourceDomain: string;
  targetDomain: string;
  /** `next_step` of the output: what the target domain does with the package. */
  nextStep: string;
  input: ZodType<I>;
  data: ZodType<D>;
  /** Problems a schema cannot express (cross-field rules, lifecycle states); empty when fine. */
  rules(input: I): FieldProblem[];
  transform(input: I): D;
}

/** `{ success, workflow_id, handoff_data, next_step }`: the seed's output shape around one handoff's data. */
export function handoffOutputSchema<D extends z.ZodType, S extends string>(data: D, nextStep: S) {
  return z.object({ success: z.boolean(), workflow_id: z.string().min(1), handoff_data: data, next_step: z.literal(nextStep) });
}

/** `a.b: message; c: message`, with zod's "expected X, received undefined" said as `Required`. */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
}

/** Zod issues as field problems; a missing field reads `Required`, as in the CLI's messages. */
export function problemsOf(error: z.ZodError): FieldProblem[] {
  return toFieldIssues(error.issues).map((issue, i) => {
    const raw = error.issues[i];
    const missing = raw?.code === 'invalid_type' && /received undefined/.test(raw.message);
    return { path: issue.path, message: missing ? 'Required' : issue.message };
  });
}

/** Parses a handoff input; throws a NonRetryableError naming every field at fault (a retry would see the same data). */
export function parseOrReject<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new NonRetryableError(`invalid ${what}: ${describeProblems(problemsOf(parsed.error))}`, { code: INVALID_HANDOFF_INPUT });
}

/** Throws a NonRetryableError naming the fields when `problems` is not empty. */
export function rejectProblems(problems: readonly FieldProblem[], what: string): void {
  if (problems.length) {
    throw new NonRetryableError(`invalid ${what}: ${describeProblems(problems)}`, { code: INVALID_HANDOFF_INPUT });
  }
}

/** Keeps the first occurrence of each value (case-insensitive for strings), trimmed, in order. */
export function uniqueTexts(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const text = value.trim();
    const key = text.toLowerCase();
    if (text && !seen.has(key)) {
      seen.add(key);
      out.push(text);
    }
  }
  return out;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` plus whole days, in UTC (no local time zone may change a due date). */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (ISO dates or date-times), rounded to the nearest day. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** `YYYYMMDD` of an ISO date or date-time: a stable suffix for ids derived from dates. */
export function compactDate(iso: string): string {
  return iso.slice(0, 10).replaceAll('-', '');
}

/** Mean of the numbers, or undefined for none. */
export function mean(values: readonly number[]): number | undefined {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}
