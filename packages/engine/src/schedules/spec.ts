// croner: no dependencies, time zones via Intl (DST-aware), seconds field, previousRuns() for catch-up (docs/schedules.md).
import { Cron } from 'croner';
import { z } from 'zod';
import {
  DurationSchema,
  JsonObjectSchema,
  NameSchema,
  parseDuration,
  SquadflowError,
  toFieldIssues,
  type Duration,
} from '@squadflow/shared';

/** What to do with a slot whose previous run is still going: drop it, start it when that run ends (at most one waits), or start anyway. */
export type OverlapPolicy = 'skip' | 'queue' | 'allow';
/** Slots missed while no orchestrator ran: fire the latest one once, or none. */
export type CatchUpPolicy = 'latest' | 'skip';

/** The shortest `every` accepted: shorter intervals would turn the scheduler into a busy loop. */
export const MIN_INTERVAL_MS = 100;

/** A schedule as callers write it. Exactly one of `cron`, `every` and `at`. */
export interface ScheduleSpec {
  /** Name-like id (letters, digits, `_`, `-`; starts with a letter); generated when omitted. */
  id?: string;
  workflow: string;
  /** Pin a definition version (default: the latest at each run). */
  version?: number;
  /** The context of every execution it starts (default `{}`). */
  context?: Record<string, unknown>;
  /** Cron expression (5 fields, or 6 with seconds first), read in `timezone`. */
  cron?: string;
  /** IANA time zone for `cron` and for an `at` without an offset (default `UTC`). */
  timezone?: string;
  /** Fixed interval, aligned to the Unix epoch (`1h` fires on the hour, UTC). */
  every?: Duration;
  /** One shot: epoch ms, or an ISO date-time (without an offset it is read in `timezone`). */
  at?: number | string;
  overlap?: OverlapPolicy;
  catchUp?: CatchUpPolicy;
}

/** A validated spec with defaults applied and `at` resolved to epoch ms. */
export interface NormalizedSpec {
  id?: string;
  workflow: string;
  version?: number;
  context: Record<string, unknown>;
  cron?: string;
  timezone: string;
  every?: Duration;
  at?: number;
  overlap: OverlapPolicy;
  catchUp: CatchUpPolicy;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?/;
const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;

const SpecSchema = z
  .strictObject({
    id: NameSchema.optional(),
    workflow: NameSchema,
    version: z.number().int().positive().optional(),
    context: JsonObjectSchema.default({}),
    cron: z.string().trim().min(1).optional(),
    timezone: z.string().min(1).default('UTC'),
    every: DurationSchema.optional(),
    at: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    overlap: z.enum(['skip', 'queue', 'allow']).default('skip'),
    catchUp: z.enum(['latest', 'skip']).default('latest'),
  })
  .superRefine((s, ctx) => {
    const kinds = (['cron', 'every', 'at'] as const).filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      const path = kinds.length ? kinds.slice(1) : ['cron'];
      ctx.addIssue({ code: 'custom', path, message: 'give exactly one of cron, every or at' });
    }
    if (!isTimeZone(s.timezone)) ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${s.timezone}"` });
    else if (s.cron !== undefined) {
      const problem = cronProblem(s.cron, s.timezone);
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
    }
    const every = s.every === undefined ? undefined : parseDuration(s.every);
    if (every !== undefined && every < MIN_INTERVAL_MS)
      ctx.addIssue({ code: 'custom', path: ['every'], message: `must be at least ${MIN_INTERVAL_MS} ms` });
    if (typeof s.at === 'string' && isTimeZone(s.timezone) && resolveAt(s.at, s.timezone) === undefined)
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'expected epoch ms or an ISO 8601 date-time' });
  });

/** Validates a spec; throws `INVALID_ARGUMENT` naming each field at fault. */
export function normalizeSpec(input: unknown): NormalizedSpec {
  const parsed = SpecSchema.safeParse(input);
  if (!parsed.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid schedule', toFieldIssues(parsed.error.issues));
  const { at, ...rest } = parsed.data;
  const spec: NormalizedSpec = { ...rest };
  if (at !== undefined) spec.at = typeof at === 'number' ? at : resolveAt(at, spec.timezone)!;
  return spec;
}

/** The `Intl` check the runtime itself uses: an unknown zone throws a RangeError. */
function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

function cronProblem(expression: string, timezone: string): string | undefined {
  try {
    if (!cronFor(expression, timezone).nextRun()) return 'the expression never matches a future date';
    return undefined;
  } catch (err) {
    return `invalid cron expression: ${(err as Error).message}`;
  }
}

/** A parser-only croner instance: no callback, so croner schedules nothing itself. */
export function cronFor(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone });
}

/** An ISO string with an offset is an instant; without one it is a wall-clock time in `timezone` (croner converts it). */
function resolveAt(text: string, timezone: string): number | undefined {
  // Only dates: croner would otherwise read a cron expression here as a recurring pattern.
  if (!ISO_DATE.test(text)) return undefined;
  if (HAS_OFFSET.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  try {
    return new Cron(text, { timezone }).nextRun(new Date(0))?.getTime();
  } catch {
    return undefined;
  }
}
