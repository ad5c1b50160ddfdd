import { createHash } from 'node:crypto';

/**
 * A short id derived from stable parts (an idempotency key, an execution and
 * step): the same parts always give the same id, so a redelivered or retried
 * command finds the record it already created instead of making a second one.
 * The result is safe as a KV key token (`<prefix>_<24 hex>`).
 */
export function stableId(prefix: string, ...parts: string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${prefix}_${hash.slice(0, 24)}`;
}

/** SHA-256 hex of a normalised identifier, the way ad platforms match customer lists without storing raw PII. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
