import { connectNatsTransport } from '@squadflow/transport';
import type { Config } from '@squadflow/shared';
import { pino, type Logger } from 'pino';
import { CliError, ExitCode } from './exit-codes.ts';
import { hideCredentials, HOW_TO_START } from './remote/env.ts';

/**
 * Logs go to stderr, never stdout (which carries results and `--json`).
 * Quiet by default for one-shot commands: a set SQUADFLOW_LOG_LEVEL wins,
 * then `--verbose` (info), then `fallback`.
 */
export function cliLogger(config: Config, options: { verbose?: boolean; fallback: Config['logLevel'] }): Logger {
  const explicit = process.env['SQUADFLOW_LOG_LEVEL'];
  const level = explicit ? config.logLevel : options.verbose ? 'info' : options.fallback;
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}

/** Connects, turning any failure into exit code 5 with the URL (credentials hidden) in the message. */
export async function connectNats(
  url: string,
  logger: Logger,
  options: { replicas?: number } = {},
): ReturnType<typeof connectNatsTransport> {
  try {
    return await connectNatsTransport({ servers: url, name: `squadflow-cli-${process.pid}`, logger, ...options });
  } catch (err) {
    throw unavailable(url, err);
  }
}

/** NATS did not answer (or has no JetStream): exit 5, saying where and how to get a squadflow to talk to. */
export function unavailable(url: string, err: unknown): CliError {
  return new CliError(
    ExitCode.UNAVAILABLE,
    `cannot reach NATS at ${hideCredentials(url)}: ${(err as Error).message ?? String(err)}`,
    HOW_TO_START,
    'UNAVAILABLE',
  );
}
