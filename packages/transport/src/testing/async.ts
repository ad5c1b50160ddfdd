/** Small async helpers for tests: wait for what handlers report instead of sleeping. */

/** Rejects with `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Only for asserting that something does NOT happen: a short, bounded wait.
 * Anything that does happen is awaited through a `Collector` instead.
 */
export function quietPeriod(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets queued `setImmediate` callbacks (memory adapter delivery) run. */
export async function flushImmediates(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Collects items pushed by handlers; `until` resolves once a predicate over them holds. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: Array<{ test: (items: T[]) => boolean; resolve: () => void }> = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(this.items)) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves with the items once `test` holds (checked at once and on every push); fails after `ms`. */
  until(test: (items: T[]) => boolean, what: string, ms = 10_000): Promise<T[]> {
    if (test(this.items)) return Promise.resolve(this.items);
    const reached = new Promise<void>((resolve) => this.waiters.push({ test, resolve }));
    return within(reached, ms, what).then(
      () => this.items,
      (err: Error) => {
        throw new Error(`${err.message}; collected ${JSON.stringify(this.items)}`);
      },
    );
  }

  /** Resolves once at least `n` items arrived. */
  count(n: number, ms?: number): Promise<T[]> {
    return this.until((items) => items.length >= n, `${n} items`, ms);
  }
}
/** Polls `probe` until `check` holds (for state that lives in storage and has no event to await). */
export async function until<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A promise plus its resolver, to hold a handler until the test releases it. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
