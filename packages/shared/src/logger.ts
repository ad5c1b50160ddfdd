import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * The pino logger factory. Components take a logger and make child loggers
 * carrying `component`, `executionId`, `step`; nothing logs through `console`.
 */
export function createLogger(options: LoggerOptions & { component?: string } = {}): Logger {
  const { component, ...rest } = options;
  const logger = pino({ level: process.env['SQUADFLOW_LOG_LEVEL'] ?? 'info', ...rest });
  return component ? logger.child({ component }) : logger;
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
