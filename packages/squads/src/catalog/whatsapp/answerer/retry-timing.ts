import type { Clock } from '@squadflow/transport';

/** Longest backoff between two calls, however many attempts came before (a `Retry-After` may ask for more). */
export const MAX_BACKOFF_MS = 8_000;

/**
 * Delay before retry number `retry` (1 for the first retry): `initialMs`
 * doubled each time, capped at {@link MAX_BACKOFF_MS}, with "equal jitter"
 * (half fixed, half random) so replicas rate-limited together do not retry
 * together. `random` is injectable for tests.
 */
export function backoffMs(retry: number, initialMs: number, random: () => number = Math.random): number {
  const full = Math.min(MAX_BACKOFF_MS, initialMs * 2 ** (retry - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

/**
 * The `Retry-After` header in ms: delta seconds (`"3"`) or an HTTP date
 * (relative to `now`). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Waits `ms` on the clock (so a test's manual clock drives it); rejects with
 * the signal's reason if it aborts first.
 */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimer(timer);
      reject(signal!.reason as Error);
    };
    const timer = clock.setTimer(clock.now() + ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
