import type { Transport } from '@squadflow/transport';
import type { EngineClient } from '@squadflow/engine';
import type { Logger } from '@squadflow/shared';
import { createGateway, type Gateway } from './app.ts';
import { loadGatewayConfig, type GatewayConfig } from './config.ts';

export interface StartGatewayOptions {
  client: EngineClient;
  transport: Transport;
  prefix: string;
  logger: Logger;
  /** Settings; default: read from `env` (`SQUADFLOW_HOST`, `SQUADFLOW_PORT` 8080, `SQUADFLOW_API_TOKENS`, ...). */
  config?: GatewayConfig;
  env?: Record<string, string | undefined>;
}

/** A listening gateway, as `squadflow start` reports and stops it. */
export interface RunningGateway {
  /** e.g. `http://127.0.0.1:8080`. */
  url: string;
  gateway: Gateway;
  stop(): Promise<void>;
}

/**
 * Builds and starts the gateway over an existing client and transport: what
 * the embedded `squadflow start` calls (the CLI's gateway hook). Stopping it
 * leaves the transport open: the caller owns it.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const config = options.config ?? loadGatewayConfig(options.env ?? process.env);
  const gateway = createGateway({
    client: options.client,
    transport: options.transport,
    prefix: options.prefix,
    logger: options.logger,
    config,
  });
  const url = await gateway.listen();
  options.logger.info({ url }, 'gateway listening');
  return { url, gateway, stop: () => gateway.close() };
}
