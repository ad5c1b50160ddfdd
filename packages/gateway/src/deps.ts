import type { Transport } from '@squadflow/transport';
import type { EngineClient } from '@squadflow/engine';
import type { Logger, Names } from '@squadflow/shared';
import type { GatewayConfig } from './config.ts';
import type { RouteTable } from './http/route.ts';

/** What every route module gets: the engine client, the transport, names of the prefix, settings, logger. */
export interface GatewayDeps {
  client: EngineClient;
  transport: Transport;
  names: Names;
  config: GatewayConfig;
  logger: Logger;
  routes: RouteTable;
}
