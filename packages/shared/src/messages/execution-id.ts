import { createHash, randomBytes } from 'node:crypto';

/**
 * The execution a trigger starts. With an idempotency key the id is derived
 * from it, so the same key always names the same execution, for as long as
 * the execution is stored (days, not a dedup window of minutes). It is part
 * of the trigger contract: the engine names a keyed trigger's execution with
 * it, and a publisher that is not the engine (a squad handing work on) can
 * tell which execution its trigger starts without asking.
 */
export function executionIdFor(workflow: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined)
    return `ex_${randomBytes(12)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')}`;
  return `ex_${createHash('sha256').update(`${workflow}\u0000${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}
