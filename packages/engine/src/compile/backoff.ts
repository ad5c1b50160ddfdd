import { durationMs, type RetryPolicy } from '@squadflow/shared';

/**
 * Backoff before retry number `attempt` (1 = before the second attempt):
 * exponential, capped, with jitter that is deterministic per
 * (execution, step, attempt) so that replaying an event computes the same
 * deadline: the machine stays pure.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, seed: string): number {
  const base = durationMs(policy.initialInterval) * policy.backoffCoefficient ** Math.max(0, attempt - 1);
  const capped = Math.min(base, durationMs(policy.maxInterval));
  const spread = capped * policy.jitter;
  return Math.max(0, Math.round(capped - spread + spread * 2 * unitHash(`${seed}.${attempt}`)));
}

/** FNV-1a of a string, mapped to [0, 1). */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}
