/**
 * The container health check (`node dist/healthcheck.mjs`, docs/deploy.md):
 * a health file younger than a maximum age (see health-file.ts), or an HTTP
 * URL answering 2xx (the gateway's `/readyz`). Node builtins only: the
 * bundle stays small and starts fast, as a check runs every few seconds.
 */
import { stat } from 'node:fs/promises';

export interface HealthVerdict {
  ok: boolean;
  reason: string;
}

export interface HealthCheckOptions {
  /** A health file older than this fails (default 20 s). */
  maxAgeMs?: number;
  /** How long an HTTP check waits (default 3 s). */
  timeoutMs?: number;
  now?: () => number;
}

export const DEFAULT_MAX_AGE_MS = 20_000;

export async function checkHealth(target: string, options: HealthCheckOptions = {}): Promise<HealthVerdict> {
  return /^https?:\/\//.test(target) ? checkUrl(target, options.timeoutMs ?? 3_000) : checkFile(target, options);
}

async function checkFile(path: string, options: HealthCheckOptions): Promise<HealthVerdict> {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  let modified: number;
  try {
    modified = (await stat(path)).mtimeMs;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: `${path}: ${code === 'ENOENT' ? 'missing (not ready yet, or stopped)' : String(err)}` };
  }
  const age = (options.now ?? Date.now)() - modified;
  return age <= maxAgeMs
    ? { ok: true, reason: `${path}: refreshed ${Math.max(0, Math.round(age))} ms ago` }
    : { ok: false, reason: `${path}: last refreshed ${Math.round(age)} ms ago (more than ${maxAgeMs} ms)` };
}

async function checkUrl(url: string, timeoutMs: number): Promise<HealthVerdict> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { ok: response.ok, reason: `${url}: ${response.status}` };
  } catch (err) {
    return { ok: false, reason: `${url}: ${(err as Error).message}` };
  }
}

/** `20s`, `500ms`, `1m` or plain seconds (`20`). */
export function parseMaxAge(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--max-age: expected e.g. 20s, 500ms or 1m, got "${text}"`);
  const unit = match[2] ?? 's';
  return Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1_000 : 60_000);
}

/** The bin's arguments: `<file|url> [--max-age 20s]`. */
export function parseHealthCheckArgs(argv: readonly string[]): { target: string; maxAgeMs: number } {
  let target: string | undefined;
  let maxAgeMs = DEFAULT_MAX_AGE_MS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--max-age') maxAgeMs = parseMaxAge(argv[++i] ?? '');
    else if (arg.startsWith('--max-age=')) maxAgeMs = parseMaxAge(arg.slice('--max-age='.length));
    else if (target === undefined && !arg.startsWith('-')) target = arg;
    else throw new Error(`unexpected argument "${arg}"`);
  }
  if (target === undefined) throw new Error('usage: healthcheck <health file | http(s) URL> [--max-age 20s]');
  return { target, maxAgeMs };
}
