import { readFileSync } from 'node:fs';
import { createMemoryTransport } from '@squadflow/transport';
import { EngineClient, Orchestrator, type ExecutionView } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { agencySquad, agencyWorkflows, type HandoffName } from '@squadflow/squads/catalog';
import { startSquad, type RunningSquad } from '@squadflow/squads';

const EXAMPLES = new URL('../../../../examples/handoffs/', import.meta.url);

/** The sample input of a handoff, as shipped in `examples/handoffs/<name>.json`. */
export function sampleInput(name: HandoffName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, EXAMPLES), 'utf8')) as Record<string, unknown>;
}

export interface AgencyEnvironment {
  client: EngineClient;
  /** Triggers and waits for the end; returns the execution. */
  run(name: string, input: unknown): Promise<ExecutionView>;
  close(): Promise<void>;
}

/** Orchestrator + agency squad + client on the in-memory adapters, the five handoff workflows registered. */
export async function startAgency(): Promise<AgencyEnvironment> {
  const transport = createMemoryTransport();
  const logger = silentLogger();
  const prefix = 'sqf';
  const orchestrator = await Orchestrator.start({ transport, prefix, logger });
  const squad: RunningSquad = await startSquad({ transport, prefix, definition: agencySquad, logger });
  const client = await EngineClient.connect({ transport, prefix });
  for (const definition of agencyWorkflows) await client.registerWorkflow(definition);
  return {
    client,
    run: async (name, input) => client.waitFor(await client.trigger(name, input), undefined, 10_000),
    close: async () => {
      await squad.stop();
      await orchestrator.stop();
      await transport.close();
    },
  };
}
