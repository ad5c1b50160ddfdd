import type { EngineClient, Transport } from '@squadflow/engine';
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
 * The gateway hook of `squadflow start`. The HTTP gateway
 * (`packages/gateway`, issue 4) is not written yet, so nothing listens and
 * `start` says so. To wire it: add `@squadflow/gateway` to this package's
 * dependencies and return its server here, e.g.
 * `return startGateway({ ...context, port: Number(process.env.SQUADFLOW_HTTP_PORT ?? 8080) })`.
 */
export async function startGateway(_context: GatewayContext): Promise<RunningGateway | undefined> {
  return undefined;
}
