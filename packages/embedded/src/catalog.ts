/**
 * What the embedded squadflow runs: the seed squads (the five of seed 000 and
 * the agency squad of seed 001) and every seed workflow, as `squadflow start` runs them.
 */
import type { Transport } from '@squadflow/transport';
import type { SquadDefinition } from '@squadflow/squads';
import {
  createAgencySquad,
  openSeedSquads,
  readHandoffChainSettings,
  seedWorkflows,
  triggerPublisher,
  type SeedIntegration,
  type SeedSquadName,
  type SeedWorkflowOptions,
} from '@squadflow/squads/catalog';

export interface Catalog {
  squads: SquadDefinition[];
  /** Workflow definitions (plain JSON), registered as they are. */
  workflows: unknown[];
  /** Which adapter each port got (simulated or real), as `squadflow start` prints it. */
  integrations: SeedIntegration[];
  /** Ends what the squads' adapters hold open (a PostgreSQL inventory's pool), after the squads stopped. */
  close(): Promise<void>;
}

export interface LoadCatalogOptions {
  transport: Transport;
  prefix: string;
  workflows?: SeedWorkflowOptions;
  /**
   * The environment (default `process.env`): it chooses each port's adapter (docs/integrations.md), the WhatsApp
   * answerer (docs/llm.md) and the agency's chain settings. `squadflow start` and `squadflow squad <name>` both
   * come through here.
   */
  env?: Record<string, string | undefined>;
  /** Only these seed squads (a squad process): the others' adapters are not opened, and the agency is left out. */
  only?: readonly SeedSquadName[];
  /**
   * Whether the agency's `execute_handoff` starts the next handoff (seed
   * 001's chain). Default: `SQUADFLOW_CHAIN_HANDOFFS` (unset: on); false turns it off whatever the environment says.
   */
  chainHandoffs?: boolean;
}

/**
 * Every seed squad and workflow. Squads open their adapters here, chosen
 * from the environment: the KV simulations by default (inventory, ads,
 * outbox), PostgreSQL, Google Ads and the WhatsApp Cloud API when configured.
 */
export async function loadCatalog(options: LoadCatalogOptions): Promise<Catalog> {
  const seed = await openSeedSquads({
    transport: options.transport,
    prefix: options.prefix,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.only === undefined ? {} : { only: options.only }),
  });
  const squads = options.only ? seed.squads : [...seed.squads, agencySquadFor(options.transport, options.prefix, options)];
  return { squads, workflows: seedWorkflows(options.workflows), integrations: seed.integrations, close: seed.close };
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
  options: Pick<LoadCatalogOptions, 'chainHandoffs' | 'env'> = {},
): SquadDefinition {
  const settings = readHandoffChainSettings(options.env);
  const enabled = options.chainHandoffs === false ? false : settings.enabled;
  return createAgencySquad({ starter: triggerPublisher(transport, prefix), chain: { ...settings, enabled } }) as SquadDefinition;
}
