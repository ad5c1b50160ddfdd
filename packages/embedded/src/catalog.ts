/**
 * What the embedded squadflow runs: the seed squads (the five of seed 000 and
 * the agency squad of seed 001) and every seed workflow, as `squadflow start` runs them.
 */
import type { Transport } from '@squadflow/transport';
import type { SquadDefinition } from '@squadflow/squads';
import {
  agencySquad,
  openSeedSquads,
  seedWorkflows,
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
  /** Environment the adapters are chosen from (default `process.env`; docs/integrations.md). */
  env?: Record<string, string | undefined>;
  /** Only these seed squads (a squad process): the others' adapters are not opened. */
  only?: readonly SeedSquadName[];
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
  const squads = options.only ? seed.squads : [...seed.squads, agencySquad as SquadDefinition];
  return { squads, workflows: seedWorkflows(options.workflows), integrations: seed.integrations, close: seed.close };
}

/** The agency squad needs no transport to be defined, so `squadflow squad agency` does not need the catalog. */
export const AGENCY: SquadDefinition = agencySquad;
