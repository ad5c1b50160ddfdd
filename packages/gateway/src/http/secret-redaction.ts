/**
 * What the API shows of execution data: contexts, step inputs and outputs
 * carry whatever callers and squads put there, access tokens included. Any
 * property whose name says secret (`token`, `secret`, `password`,
 * `authorization`, `api_key`/`apiKey`, `private_key`, `credential`;
 * case-insensitive, at any depth, inside arrays too) has its value replaced
 * by `[redacted]` before an execution leaves the gateway. The stored data is
 * untouched: squads and expressions still read it.
 */
import { REDACTED } from './log-redaction.ts';

const SECRET_KEY = /token|secret|passw(or)?d|authorization|api[_-]?key|private[_-]?key|credential/i;
/** Deeper than any stored value can be (MAX_JSON_DEPTH): a guard, not a limit anyone reaches. */
const MAX_DEPTH = 256;

/** A copy of `value` with secret-named properties redacted (values that are not objects or arrays are returned as they are). */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecrets(item, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(item, depth + 1);
  }
  return out as T;
}
