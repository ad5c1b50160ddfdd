import type { Logger } from './logger.ts';

/**
 * Stops a process gracefully on SIGTERM or SIGINT: logs the signal, runs
 * `stop` once (a second signal while stopping is ignored), then exits 0, or
 * 1 when `stop` fails. For the process entry points (orchestrator, gateway).
 */
export function exitOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    try {
      await stop();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'stopping failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
