/**
 * A health file for container health checks (docs/deploy.md, "Health
 * checks"). A process without an HTTP port (the orchestrator, a squad)
 * rewrites the file every `intervalMs` while its NATS connection answers a
 * round trip (PING/PONG) within `timeoutMs`; `healthcheck <file> --max-age`
 * (health-check.ts) fails once the file is older than that. So the check
 * says: the process runs, its event loop turns, and the NATS server answers
 * it. It does not say that work gets done: the lifecycle metrics do.
 *
 * The file is written only after the process is ready (streams ensured,
 * consuming), so compose's `service_healthy` conditions order start-up; it
 * is removed on a graceful stop.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Logger } from '@squadflow/shared';
import { natsConnectionOf } from './nats/connection-of.ts';
import type { Transport } from './ports.ts';

export const HEALTH_FILE_INTERVAL_MS = 5_000;
const PING_TIMEOUT_MS = 3_000;

export interface HealthFileOptions {
  path: string;
  transport: Transport;
  /** How often the file is refreshed (default 5 s); the check's `--max-age` should be a few intervals. */
  intervalMs?: number;
  /** How long the NATS round trip may take (default 3 s). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface HealthFile {
  /** Resolves once the first refresh is done (the file exists if the connection answered). */
  readonly first: Promise<void>;
  /** Stops refreshing and removes the file. */
  stop(): Promise<void>;
}

export function startHealthFile(options: HealthFileOptions): HealthFile {
  const { path, transport, logger } = options;
  const intervalMs = options.intervalMs ?? HEALTH_FILE_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? PING_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const refresh = async (): Promise<void> => {
    try {
      await answers(transport, timeoutMs);
      const partial = `${path}.${process.pid}.tmp`;
      await writeFile(partial, `${JSON.stringify({ pid: process.pid, at: new Date().toISOString() })}\n`);
      await rename(partial, path); // a check never reads a half-written file
    } catch (err) {
      // Not refreshed: the file ages, and the check fails once it is older than its --max-age.
      logger?.warn({ err, path }, 'health file not refreshed');
    }
  };
  /** The refresh in progress (or the last one): a stop waits for it, so no write lands after the file is removed. */
  let current: Promise<void> = Promise.resolve();
  const loop = (): Promise<void> =>
    (current = refresh().then(() => {
      if (stopped) return;
      timer = setTimeout(loop, intervalMs);
      timer.unref();
    }));
  const first = loop();
  return {
    first,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
      await rm(path, { force: true });
    },
  };
}

/** A NATS round trip within `timeoutMs` (the in-memory transport always answers). */
async function answers(transport: Transport, timeoutMs: number): Promise<void> {
  const nc = natsConnectionOf(transport);
  if (!nc) return;
  let timeout: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      nc.flush(),
      new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`NATS did not answer a ping within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timeout);
  }
}
