/**
 * What the embedded squadflow runs: the seed squads (the five of seed 000 and
 * the agency squad of seed 001) and every seed workflow, as `squadflow start` runs them.
 */
import type { Transport } from '@squadflow/transport';
import type { SquadDefinition } from '@squadflow/squads';
import {
  createAgencySquad,
  createSeedSquads,
  readHandoffChainSettings,
  seedWorkflows,
  triggerPublisher,
  type SeedWorkflowOptions,
} from '@squadflow/squads/catalog';

export interface Catalog {
  squads: SquadDefinition[];
  /** Workflow definitions (plain JSON), registered as they are. */
  workflows: unknown[];
}

export interface CatalogOptions {
  transport: Transport;
  prefix: string;
  workflows?: SeedWorkflowOptions;
  /**
   * Whether the agency's `execute_handoff` starts the next handoff (seed
   * 001's chain). Default: `SQUADFLOW_CHAIN_HANDOFFS` (unset: on); false turns it off whatever the environment says.
   */
  chainHandoffs?: boolean;
  /**
   * The environment (default `process.env`): it chooses the WhatsApp client and answerer and the agency's
   * settings. `squadflow start` and `squadflow squad <name>` both come through here.
   */
  env?: Record<string, string | undefined>;
}

/** Every seed squad and workflow. Squads that keep state (inventory, ads, outbox, the LLM history) open their KV buckets here. */
export async function loadCatalog(options: CatalogOptions): Promise<Catalog> {
  const { transport, prefix, env } = options;
  const squads = [...(await createSeedSquads({ transport, prefix, ...(env ? { env } : {}) })), agencySquadFor(transport, prefix, options)];
  return { squads, workflows: seedWorkflows(options.workflows) };
}

/**
 * The agency squad, chaining its handoffs through trigger messages on
 * `transport` (it opens no bucket of its own, so `squadflow squad agency`
 * needs no other catalog store). Reads `SQUADFLOW_CHAIN_HANDOFFS` and
 * `SQUADFLOW_HANDOFF_MAX_HOPS` from `env`; throws `INVALID_CONFIG` naming a bad one.
 */
export function agencySquadFor(
  transport: Transport,
  prefix: string,
  options: Pick<CatalogOptions, 'chainHandoffs' | 'env'> = {},
): SquadDefinition {
  const settings = readHandoffChainSettings(options.env);
  const enabled = options.chainHandoffs === false ? false : settings.enabled;
  return createAgencySquad({ starter: triggerPublisher(transport, prefix), chain: { ...settings, enabled } }) as SquadDefinition;
}
