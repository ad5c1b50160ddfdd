import { readFileSync } from 'node:fs';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { EngineClient, Orchestrator, type ExecutionView } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { agencyWorkflows, createAgencySquad, triggerPublisher, type HandoffName, type HandoffStarter } from '@squadflow/squads/catalog';
import { startSquad, type RunningSquad } from '@squadflow/squads';

const EXAMPLES = new URL('../../../../examples/handoffs/', import.meta.url);

/** The sample input of a handoff, as shipped in `examples/handoffs/<name>.json`. */
export function sampleInput(name: HandoffName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, EXAMPLES), 'utf8')) as Record<string, unknown>;
}

export interface AgencyEnvironment {
  client: EngineClient;
  transport: Transport;
  prefix: string;
  /** Triggers and waits for the end; returns the execution. */
  run(name: string, input: unknown): Promise<ExecutionView>;
  close(): Promise<void>;
}

export interface AgencyOptions {
  /** Default memory; `nats` uses the test NATS server with a fresh prefix, deleted on close. */
  kind?: 'memory' | 'nats';
  /** Chain the handoffs (default false: each run is one handoff). */
  chain?: boolean;
  maxHops?: number;
  /** Wraps the trigger publisher, e.g. to fail an attempt after it published. */
  starter?: (publisher: HandoffStarter) => HandoffStarter;
  /** Wraps the transport the squad runs on (its replies, its triggers), e.g. to lose a message. */
  transport?: (transport: Transport, prefix: string) => Transport;
}

/** Orchestrator + agency squad + client on the in-memory adapters (or NATS), the five handoff workflows registered. */
export async function startAgency(options: AgencyOptions = {}): Promise<AgencyEnvironment> {
  let transport: Transport;
  let prefix = 'sqf';
  let cleanup: () => Promise<void>;
  if (options.kind === 'nats') {
    const nats = await withNatsTransport('agency');
    ({ transport, prefix } = nats);
    cleanup = nats.cleanup;
  } else {
    transport = createMemoryTransport();
    cleanup = () => transport.close();
  }
  const logger = silentLogger();
  const orchestrator = await Orchestrator.start({ transport, prefix, logger });
  const squadTransport = options.transport ? options.transport(transport, prefix) : transport;
  const publisher = triggerPublisher(squadTransport, prefix);
  const definition = createAgencySquad({
    starter: options.starter ? options.starter(publisher) : publisher,
    chain: { enabled: options.chain ?? false, ...(options.maxHops === undefined ? {} : { maxHops: options.maxHops }) },
  });
  const squad: RunningSquad = await startSquad({ transport: squadTransport, prefix, definition, logger });
  const client = await EngineClient.connect({ transport, prefix });
  for (const workflow of agencyWorkflows) await client.registerWorkflow(workflow);
  return {
    client,
    transport,
    prefix,
    run: async (name, input) => client.waitFor(await client.trigger(name, input), undefined, 10_000),
    close: async () => {
      await squad.stop();
      await orchestrator.stop();
      await cleanup();
    },
  };
}
