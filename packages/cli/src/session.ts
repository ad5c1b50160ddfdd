import { connectNatsTransport } from '@squadflow/transport';
import { EngineClient } from '@squadflow/engine';
import type { Config } from '@squadflow/shared';
import { pino, type Logger } from 'pino';
import { startEmbedded } from '@squadflow/embedded';
import { CliError, ExitCode } from './exit-codes.ts';

/** How a command reaches squadflow, and how it lets go. */
export interface Session {
  /** `nats`: a running deployment; `ephemeral`: an in-memory squadflow living only as long as this command. */
  mode: 'nats' | 'ephemeral';
  client: EngineClient;
  close(): Promise<void>;
}

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

/**
 * With SQUADFLOW_NATS_URL: a client of the deployment behind it (workflows
 * must be registered there, e.g. by `squadflow start`). Without it there is
 * no server to reach, so the command runs its own in-memory squadflow
 * (orchestrator, seed squads, seed workflows) for its duration.
 */
export async function openSession(config: Config, logger: Logger): Promise<Session> {
  if (!config.natsUrl) {
    const embedded = await startEmbedded({ prefix: config.prefix, logger });
    return { mode: 'ephemeral', client: embedded.client, close: embedded.stop };
  }
  const transport = await connectNats(config.natsUrl, logger);
  try {
    const client = await EngineClient.connect({
      transport,
      prefix: config.prefix,
      logger,
      ...(config.maxContextBytes === undefined ? {} : { maxContextBytes: config.maxContextBytes }),
    });
    return { mode: 'nats', client, close: () => transport.close() };
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw unavailable(config.natsUrl, err);
  }
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

function unavailable(url: string, err: unknown): CliError {
  const shown = url.replace(/\/\/[^@/]*@/, '//***@');
  return new CliError(ExitCode.UNAVAILABLE, `cannot reach NATS at ${shown}: ${(err as Error).message ?? String(err)}`, [], 'UNAVAILABLE');
}
