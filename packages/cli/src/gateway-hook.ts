import type { EngineClient, Transport } from '@squadflow/engine';
import { startGateway as startHttpGateway } from '@squadflow/gateway';
import type { Logger } from '@squadflow/shared';

/** What `squadflow start` hands the HTTP gateway: the same client, transport and prefix as everything else. */
export interface GatewayContext {
  client: EngineClient;
  transport: Transport;
  prefix: string;
  logger: Logger;
}

/** A running gateway, as `start` reports and stops it. */
export interface RunningGateway {
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * The HTTP gateway of `squadflow start`, on the same client, transport and
 * prefix as everything else; configured from the environment
 * (`SQUADFLOW_PORT`, default 8080; `SQUADFLOW_HOST`, default 127.0.0.1; see packages/gateway).
 */
export async function startGateway(context: GatewayContext): Promise<RunningGateway | undefined> {
  const running = await startHttpGateway(context);
  return { url: running.url, stop: running.stop };
}
