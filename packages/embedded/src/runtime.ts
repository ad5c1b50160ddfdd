import { connectNatsTransport, createMemoryTransport, type Transport } from '@squadflow/transport';
import type { EngineClient } from '@squadflow/engine';
import type { Logger } from '@squadflow/shared';
import { DEFAULT_SQUAD_VERSION } from '@squadflow/squads';
import { startGateway, type RunningGateway } from '@squadflow/gateway';
import { loadCatalog } from './catalog.ts';
import { wireInProcess, type Wired } from './wiring.ts';

export interface EmbeddedOptions {
  /** NATS server(s); unset = in-memory adapters (nothing outlives the process). */
  natsUrl?: string;
  prefix: string;
  logger: Logger;
  /**
   * Also serve the HTTP gateway on the same client and transport, configured
   * from the environment (`SQUADFLOW_PORT`, default 8080; `SQUADFLOW_HOST`,
   * default 127.0.0.1; see packages/gateway). Default false.
   */
  gateway?: boolean;
}

/** A whole squadflow in this process: transport, orchestrator, every seed squad, the seed workflows registered. */
export interface Embedded {
  mode: 'memory' | 'nats';
  prefix: string;
  transport: Transport;
  client: EngineClient;
  squads: ReadonlyArray<{ name: string; version: string; actions: string[] }>;
  workflows: ReadonlyArray<{ name: string; version: number }>;
  /** Where the gateway listens (e.g. `http://127.0.0.1:8080`), when it was asked for. */
  gateway: { url: string } | undefined;
  /** Stops the gateway, then squads (letting running handlers reply), then the orchestrator, then closes the transport. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The all-in-one used by `squadflow start` and by `squadflow run` when no
 * server is named (a one-shot in-memory squadflow): the seed catalog (every
 * seed squad and workflow) wired by `wireInProcess`, and the HTTP gateway
 * when asked for.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const { prefix, logger } = options;
  const transport = options.natsUrl
    ? await connectNatsTransport({ servers: options.natsUrl, name: `squadflow-cli-${process.pid}`, logger })
    : createMemoryTransport({ logger });
  let wired: Wired | undefined;
  let gateway: RunningGateway | undefined;
  try {
    const catalog = await loadCatalog({ transport, prefix });
    wired = await wireInProcess({ transport, prefix, logger, squads: catalog.squads, workflows: catalog.workflows });
    if (options.gateway) gateway = await startGateway({ client: wired.client, transport, prefix, logger });
  } catch (err) {
    await wired?.stop().catch(() => undefined);
    await transport.close().catch(() => undefined);
    throw err;
  }
  const running = wired;
  let stopped: Promise<void> | undefined;
  return {
    mode: options.natsUrl ? 'nats' : 'memory',
    prefix,
    transport,
    client: running.client,
    squads: running.squads.map(({ definition }) => ({
      name: definition.name,
      version: definition.version ?? DEFAULT_SQUAD_VERSION,
      actions: Object.keys(definition.actions),
    })),
    workflows: running.workflows,
    gateway: gateway ? { url: gateway.url } : undefined,
    stop: () =>
      (stopped ??= (async () => {
        await gateway?.stop();
        await running.stop();
        await transport.close();
      })()),
  };
}
