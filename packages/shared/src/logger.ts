import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * The pino logger factory. Components take a logger and make child loggers
 * carrying `component`, `executionId`, `step`; nothing logs through `console`.
 * `destination` (default stdout) receives the JSON lines, e.g. a test capturing them.
 */
export function createLogger(options: LoggerOptions & { component?: string } = {}, destination?: DestinationStream): Logger {
  const { component, ...rest } = options;
  const settings = { level: process.env['SQUADFLOW_LOG_LEVEL'] ?? 'info', ...rest };
  const logger = destination ? pino(settings, destination) : pino(settings);
  return component ? logger.child({ component }) : logger;
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
