import type { Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import type { Logger } from '@squadflow/shared';
import { startSquad, type RunningSquad, type SquadDefinition } from '@squadflow/squads';

/** What to run in this process on one transport. */
export interface WiringOptions {
  transport: Transport;
  prefix: string;
  logger: Logger;
  /** Squads to run, or a factory given the transport (squads that keep state in KV open their buckets there). */
  squads: SquadDefinition[] | ((transport: Transport, prefix: string) => Promise<SquadDefinition[]>);
  /** Definitions to register once everything consumes. */
  workflows: readonly unknown[];
}

/** An orchestrator, squads and a client sharing one transport. */
export interface Wired {
  orchestrator: Orchestrator;
  client: EngineClient;
  squads: RunningSquad[];
  workflows: Array<{ name: string; version: number }>;
  /** Stops squads (letting running handlers reply), then the orchestrator. Does not close the transport. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The one place that puts an orchestrator and squads into one process, used
 * by `squadflow start` and by `TestEnvironment`. Squads start from their
 * `SquadDefinition` (description and version included), exactly as a squad
 * process does. The order matters: the orchestrator and squads consume
 * before workflows are registered, so a trigger right after this resolves is
 * picked up at once.
 */
export async function wireInProcess(options: WiringOptions): Promise<Wired> {
  const { transport, prefix, logger } = options;
  const squads: RunningSquad[] = [];
  let orchestrator: Orchestrator | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.all(squads.map((s) => s.stop()));
      await orchestrator?.stop();
    })());
  try {
    orchestrator = await Orchestrator.start({ transport, prefix, logger });
    const definitions = typeof options.squads === 'function' ? await options.squads(transport, prefix) : options.squads;
    for (const definition of definitions) squads.push(await startSquad({ transport, prefix, definition, logger }));
    const client = await EngineClient.connect({ transport, prefix, logger });
    const workflows: Array<{ name: string; version: number }> = [];
    for (const definition of options.workflows) {
      const { name, version } = await client.registerWorkflow(definition);
      workflows.push({ name, version });
    }
    await orchestrator.refreshEvents();
    return { orchestrator, client, squads, workflows, stop };
  } catch (err) {
    // Half-started: release what started so the caller sees the real error.
    await stop().catch(() => undefined);
    throw err;
  }
}
