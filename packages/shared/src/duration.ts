import { z } from 'zod';

/**
 * A duration as written in definitions: milliseconds as a number, a compact
 * string (`500ms`, `30s`, `5m`, `1h`, `2d`, `1h30m`) or ISO 8601 (`PT2H`).
 */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPACT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses a duration to milliseconds; returns `undefined` when it is not one. */
export function parseDuration(value: Duration): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  const text = value.trim();
  const iso = ISO.exec(text);
  if (iso && text !== 'P' && text !== 'PT') {
    const [, d, h, m, s] = iso;
    return Math.round(Number(d ?? 0) * 86_400_000 + Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1_000);
  }
  let rest = text;
  let total = 0;
  if (!rest) return undefined;
  while (rest) {
    const match = COMPACT.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}

/** Like {@link parseDuration} but throws on a bad value (use after validation). */
export function durationMs(value: Duration): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new RangeError(`not a duration: ${String(value)}`);
  return ms;
}

export const DurationSchema = z.union([z.number(), z.string()]).refine((v) => parseDuration(v) !== undefined, {
  message: 'expected a duration: milliseconds, "500ms", "30s", "5m", "1h", "2d" or ISO 8601 like "PT2H"',
});
