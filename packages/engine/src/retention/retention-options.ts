import { parseDuration, SquadflowError, type Duration } from '@squadflow/shared';
import { ARCHIVE_MAX_AGE_MS } from '@squadflow/transport';

/** How long an ended execution stays in the hot store by default (docs/retention.md). */
export const DEFAULT_RETENTION_MS = 7 * 86_400_000;
/** How often the sweeper looks for executions due to leave (it also looks at start). */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** What the orchestrator is told about retention (option `retention`, else env `SQUADFLOW_RETENTION`). */
export interface RetentionOptions {
  /**
   * How long an ended execution stays in the executions bucket before it is
   * archived: a duration (`7d`, `12h`, `PT30M`, ms), or `off` / `0` to keep
   * ended executions in the hot store forever. Default 7 days.
   */
  retention?: Duration | 'off';
  /** How long the archive stream keeps an execution (default 90 days); also the horizon of idempotency keys. */
  archiveMaxAge?: Duration;
  /** How often to sweep (default 60 s). */
  sweepIntervalMs?: number;
}

/** Retention as the sweeper uses it; `retentionMs` null: off. */
export interface RetentionSettings {
  retentionMs: number | null;
  archiveMaxAgeMs: number;
  sweepIntervalMs: number;
}

/**
 * Resolves the options (an option wins over the environment). Throws
 * `INVALID_CONFIG` naming the field for a value that is not a duration, or
 * an archive that would forget executions before they leave the hot store.
 */
export function retentionSettings(options: RetentionOptions = {}, env: NodeJS.ProcessEnv = process.env): RetentionSettings {
  const raw = options.retention ?? env['SQUADFLOW_RETENTION'];
  const retentionMs = raw === undefined || raw === '' ? DEFAULT_RETENTION_MS : parseRetention(raw);
  const rawAge = options.archiveMaxAge ?? env['SQUADFLOW_ARCHIVE_MAX_AGE'];
  const archiveMaxAgeMs = rawAge === undefined || rawAge === '' ? ARCHIVE_MAX_AGE_MS : parseDuration(rawAge);
  if (archiveMaxAgeMs === undefined || archiveMaxAgeMs <= 0) throw invalid('archiveMaxAge', 'a positive duration such as 90d');
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  if (!Number.isInteger(sweepIntervalMs) || sweepIntervalMs <= 0) throw invalid('sweepIntervalMs', 'a positive whole number of ms');
  return { retentionMs, archiveMaxAgeMs, sweepIntervalMs };
}

function parseRetention(raw: Duration): number | null {
  if (raw === 'off' || raw === 0 || raw === '0') return null;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw invalid('retention', 'a duration such as 7d, 12h or PT30M, or "off"');
  return ms;
}

function invalid(path: string, message: string): SquadflowError {
  return new SquadflowError('INVALID_CONFIG', 'invalid retention options', [{ path, message }]);
}
