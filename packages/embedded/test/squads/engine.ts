import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { startSquad, type RunningSquad, type SquadDefinition } from '@squadflow/squads';

/** The real engine on the in-memory transport, plus squads started against it. */
export interface EngineRig {
  transport: Transport;
  prefix: string;
  client: EngineClient;
  /** Starts a squad replica; `close()` stops it (unless the test already did). */
  squad(definition: SquadDefinition, options?: { concurrency?: number; shutdownGraceMs?: number }): Promise<RunningSquad>;
  close(): Promise<void>;
}

export async function startEngine(): Promise<EngineRig> {
  const transport = createMemoryTransport();
  const prefix = `e${Math.random().toString(36).slice(2, 10)}`;
  const logger = silentLogger();
  const orchestrator = await Orchestrator.start({ transport, prefix, logger });
  const client = await EngineClient.connect({ transport, prefix });
  const squads: RunningSquad[] = [];
  return {
    transport,
    prefix,
    client,
    async squad(definition, options = {}) {
      const running = await startSquad({ definition, transport, prefix, logger, ...options });
      squads.push(running);
      return running;
    },
    async close() {
      await Promise.all(squads.map((s) => s.stop()));
      await orchestrator.stop();
      await transport.close();
    },
  };
}
