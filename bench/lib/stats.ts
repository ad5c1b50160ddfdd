/** Latency and throughput summaries. */
import { round } from './rss.ts';

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const s = [...latenciesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    p50: round(percentile(s, 50), 2),
    p90: round(percentile(s, 90), 2),
    p99: round(percentile(s, 99), 2),
    max: round(s.at(-1) ?? NaN, 2),
    mean: round(mean, 2),
  };
}

/** Raw samples for the results file: 0.01 ms resolution keeps the JSON small. */
export const rawSamples = (latenciesMs: readonly number[]): number[] => latenciesMs.map((x) => round(x, 2));

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}
