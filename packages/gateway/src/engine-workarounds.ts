/**
 * Workarounds for engine behaviour seen from the gateway (reported to the
 * engine owners; remove when fixed there).
 *
 * Listing executions (`pageExecutions`, `metrics`) scans the executions
 * bucket with the NATS client's `kv.keys()`. While executions are being
 * updated, that scan can return a key twice, and now and then it stalls for
 * about 30 s (until the consumer's idle heartbeat) and returns nothing.
 */
import type { ExecutionPage } from '@squadflow/engine';

/** A listing that has not answered after this long is started once more (a hedged request). */
export const HEDGE_AFTER_MS = 3_000;

/**
 * Runs `fn`; if it has not settled after `afterMs`, runs it once more and
 * takes whichever settles first. A stalled scan then costs seconds, not 30.
 */
export async function hedged<T>(fn: () => Promise<T>, afterMs = HEDGE_AFTER_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const second = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => fn().then(resolve, reject), afterMs);
  });
  try {
    // Promise.race subscribes to both, so the loser settling later is not an unhandled rejection.
    return await Promise.race([fn(), second]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drops repeated executions from a page (a key listed twice by the scan). */
export function uniquePage(page: ExecutionPage): ExecutionPage {
  const seen = new Set<string>();
  return { ...page, executions: page.executions.filter((e) => !seen.has(e.executionId) && seen.add(e.executionId)) };
}
