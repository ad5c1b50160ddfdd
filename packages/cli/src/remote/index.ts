/** How a command reaches squadflow: `openRemote` picks HTTP or NATS from the environment (env.ts). */
import type { Config } from '@squadflow/shared';
import type { Logger } from 'pino';
import { cliLogger, connectNats, unavailable } from '../session.ts';
import { engineRemote } from './engine-remote.ts';
import { hideCredentials, remoteTarget, type Target } from './env.ts';
import { HttpRemote } from './http-remote.ts';
import type { Remote } from './remote.ts';

export type { ExecutionFilter, Registered, Remote, TriggerRequest } from './remote.ts';
export { engineRemote } from './engine-remote.ts';
export { DEFAULT_URL, hideCredentials, HOW_TO_START, remoteTarget, type Target } from './env.ts';

/** Connects to the squadflow the environment names (`SQUADFLOW_NATS_URL`, else `SQUADFLOW_URL`). */
export async function openRemote(config: Config, logger: Logger, target: Target = remoteTarget(config)): Promise<Remote> {
  if (target.kind === 'http') return new HttpRemote(target.url, target.token);
  // Loaded only for NATS: a command over HTTP starts faster without the engine.
  const { EngineClient } = await import('@squadflow/engine');
  const transport = await connectNats(target.url, logger);
  try {
    const client = await EngineClient.connect({
      transport,
      prefix: target.prefix,
      logger,
      ...(config.maxContextBytes === undefined ? {} : { maxContextBytes: config.maxContextBytes }),
    });
    return engineRemote(client, `NATS ${hideCredentials(target.url)} (prefix ${target.prefix})`, () => transport.close());
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw unavailable(target.url, err);
  }
}

/** Opens the remote, runs `use`, and closes it whatever happens. */
export async function withRemote<T>(
  config: Config,
  use: (remote: Remote) => Promise<T>,
  logger: Logger = cliLogger(config, { fallback: 'error' }),
): Promise<T> {
  const remote = await openRemote(config, logger);
  try {
    return await use(remote);
  } finally {
    await remote.close();
  }
}
