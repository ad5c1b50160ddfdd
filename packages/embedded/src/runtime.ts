import { connectNatsTransport, createMemoryTransport, type Transport } from '@squadflow/transport';
import { loadDefinitionFiles, registerDefinitionFiles, type EngineClient, type RegisteredDefinitionFile } from '@squadflow/engine';
import { loadAlertsConfig, type AlertsConfig, type Logger } from '@squadflow/shared';
import { DEFAULT_SQUAD_VERSION } from '@squadflow/squads';
import { startGateway, type RunningGateway } from '@squadflow/gateway';
import { startAlerting, type Alerting } from './alerting.ts';
import { loadCatalog, type Catalog } from './catalog.ts';
import { wireInProcess, type Wired } from './wiring.ts';

export interface EmbeddedOptions {
  /** NATS server(s); unset = in-memory adapters (nothing outlives the process). */
  natsUrl?: string;
  /** With NATS: JetStream replicas of the streams and buckets it creates (SQUADFLOW_REPLICAS); default 1. */
  replicas?: number;
  prefix: string;
  logger: Logger;
  /**
   * Also serve the HTTP gateway on the same client and transport, configured
   * from the environment (`SQUADFLOW_PORT`, default 8080; `SQUADFLOW_HOST`,
   * default 127.0.0.1; see packages/gateway). Default false.
   */
  gateway?: boolean;
  /**
   * A definition file or folder (`.yaml`, `.yml`, `.json`; e.g. `workflows/`)
   * registered after the seed workflows: a file that changes a seed workflow
   * gives it a new version, an unchanged one keeps its version. Every file is
   * read and validated before anything starts: a bad one throws (naming the
   * file, the step and the field) and nothing is registered.
   */
  workflowsPath?: string;
  /**
   * Alert rules and notification routes (docs/alerts.md); default: from
   * `SQUADFLOW_ALERTS` (unset: none). The evaluator runs when there are
   * rules, the notifier when it routes anything (recipients, alert or
   * escalation routes) or an SMTP / webhook secret is set.
   */
  alerts?: AlertsConfig;
  /**
   * The agency's handoffs start one another (seed 001's chain, docs/handoffs.md).
   * Default: `SQUADFLOW_CHAIN_HANDOFFS` (unset: on); false turns chaining off.
   */
  chainHandoffs?: boolean;
}

/** A whole squadflow in this process: transport, orchestrator, every seed squad, the seed workflows registered. */
export interface Embedded {
  mode: 'memory' | 'nats';
  prefix: string;
  transport: Transport;
  client: EngineClient;
  squads: ReadonlyArray<{ name: string; version: string; actions: string[] }>;
  /** Every registered workflow at its latest version: the seeds, then `workflowsPath`'s files. */
  workflows: ReadonlyArray<{ name: string; version: number }>;
  /** Which adapter each squad port got from the environment: simulated (the default) or real (docs/integrations.md). */
  integrations: ReadonlyArray<{ port: string; simulated: boolean }>;
  /** What each file of `workflowsPath` registered (empty without it). */
  definitionFiles: readonly RegisteredDefinitionFile[];
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
  // Read before anything starts: a bad file registers nothing and leaves nothing running.
  const definitions = options.workflowsPath ? await loadDefinitionFiles(options.workflowsPath) : [];
  const alerts = options.alerts ?? loadAlertsConfig();
  const transport = options.natsUrl
    ? await connectNatsTransport({
        servers: options.natsUrl,
        name: `squadflow-cli-${process.pid}`,
        logger,
        ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      })
    : createMemoryTransport({ logger });
  let wired: Wired | undefined;
  let gateway: RunningGateway | undefined;
  let alerting: Alerting | undefined;
  let definitionFiles: RegisteredDefinitionFile[] = [];
  let catalog: Catalog | undefined;
  try {
    catalog = await loadCatalog({
      transport,
      prefix,
      ...(options.chainHandoffs === undefined ? {} : { chainHandoffs: options.chainHandoffs }),
    });
    wired = await wireInProcess({ transport, prefix, logger, squads: catalog.squads, workflows: catalog.workflows });
    const client = wired.client;
    definitionFiles = await registerDefinitionFiles(definitions, (definition) => client.registerWorkflow(definition));
    alerting = await startAlerting({ transport, prefix, logger, alerts });
    if (options.gateway) gateway = await startGateway({ client: wired.client, transport, prefix, logger });
  } catch (err) {
    await alerting?.stop().catch(() => undefined);
    await wired?.stop().catch(() => undefined);
    await catalog?.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    throw err;
  }
  const adapters = catalog;
  const running = wired;
  const workflows = new Map(running.workflows.map((w) => [w.name, w]));
  for (const { name, version } of definitionFiles) workflows.set(name, { name, version });
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
    workflows: [...workflows.values()],
    integrations: adapters.integrations,
    definitionFiles,
    gateway: gateway ? { url: gateway.url } : undefined,
    stop: () =>
      (stopped ??= (async () => {
        await gateway?.stop();
        await alerting?.stop();
        await running.stop();
        await adapters.close();
        await transport.close();
      })()),
  };
}
