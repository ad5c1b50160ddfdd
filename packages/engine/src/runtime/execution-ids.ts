import { createHash, randomBytes } from 'node:crypto';

/**
 * Execution ids. With an idempotency key the id is derived from it, so the
 * same key always names the same execution, for as long as the execution is
 * stored (days, not a dedup window of minutes).
 */
export function executionIdFor(workflow: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined)
    return `ex_${randomBytes(12)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')}`;
  return `ex_${createHash('sha256').update(`${workflow}\u0000${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}
