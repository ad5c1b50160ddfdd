import { connectNatsTransport, createMemoryTransport, EngineClient, Orchestrator, type Transport } from '@squadflow/engine';
import type { Logger } from '@squadflow/shared';
import { startSquad, type RunningSquad } from '@squadflow/squads';
import { loadCatalog } from './catalog.ts';

export interface EmbeddedOptions {
  /** NATS server(s); unset = in-memory adapters (nothing outlives the process). */
  natsUrl?: string;
  prefix: string;
  logger: Logger;
}

/** A whole squadflow in this process: transport, orchestrator, every seed squad, the seed workflows registered. */
export interface Embedded {
  mode: 'memory' | 'nats';
  prefix: string;
  transport: Transport;
  client: EngineClient;
  squads: ReadonlyArray<{ name: string; actions: string[] }>;
  workflows: ReadonlyArray<{ name: string; version: number }>;
  /** Stops squads (letting running handlers reply), then the orchestrator, then closes the transport. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Builds the all-in-one used by `squadflow start` and by the one-shot
 * commands when no NATS URL is configured. The order matters: the
 * orchestrator and squads consume before workflows are registered, so a
 * trigger right after this resolves is picked up at once.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const { prefix, logger } = options;
  const transport = options.natsUrl
    ? await connectNatsTransport({ servers: options.natsUrl, name: `squadflow-cli-${process.pid}`, logger })
    : createMemoryTransport({ logger });
  const running: RunningSquad[] = [];
  let orchestrator: Orchestrator | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.all(running.map((s) => s.stop()));
      await orchestrator?.stop();
      await transport.close();
    })());
  try {
    orchestrator = await Orchestrator.start({ transport, prefix, logger });
    const catalog = await loadCatalog({ transport, prefix });
    for (const definition of catalog.squads) {
      running.push(await startSquad({ transport, prefix, squad: definition.name, actions: definition.actions, logger }));
    }
    const client = await EngineClient.connect({ transport, prefix });
    const workflows = [];
    for (const definition of catalog.workflows) workflows.push(await client.registerWorkflow(definition));
    return {
      mode: options.natsUrl ? 'nats' : 'memory',
      prefix,
      transport,
      client,
      squads: catalog.squads.map((s) => ({ name: s.name, actions: Object.keys(s.actions) })),
      workflows: workflows.map(({ name, version }) => ({ name, version })),
      stop,
    };
  } catch (err) {
    // Half-started: release what started so the process can exit with the real error.
    await stop().catch(() => undefined);
    throw err;
  }
}
