/**
 * A token bucket per caller (API token name, or client IP without one):
 * `perMinute` requests of burst, refilled continuously at `perMinute / 60`
 * per second. In memory and per gateway process: replicas each allow the
 * full rate, which is what a per-process limit can promise.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request is allowed again (for `Retry-After`). */
  retryAfterSeconds: number;
  remaining: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Callers tracked at once; the fullest buckets (idle callers) are dropped past this. */
    private readonly maxCallers = 100_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Whether limiting is on (`perMinute` 0 turns it off). */
  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true, retryAfterSeconds: 0, remaining: Infinity };
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.delete(key); // re-insert: Map order then is least recently used first
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxCallers) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)), remaining: 0 };
  }
}
