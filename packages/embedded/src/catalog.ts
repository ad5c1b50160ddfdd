/**
 * What the embedded squadflow runs: the seed squads (the five of seed 000 and
 * the agency squad of seed 001) and every seed workflow, as `squadflow start` runs them.
 */
import type { Transport } from '@squadflow/transport';
import type { SquadDefinition } from '@squadflow/squads';
import { agencySquad, createSeedSquads, seedWorkflows, type SeedWorkflowOptions } from '@squadflow/squads/catalog';

export interface Catalog {
  squads: SquadDefinition[];
  /** Workflow definitions (plain JSON), registered as they are. */
  workflows: unknown[];
}

/**
 * Every seed squad and workflow. Squads that keep state (inventory, ads, outbox, the LLM history) open their KV
 * buckets here. `env` (default `process.env`) chooses the WhatsApp client and answerer: `squadflow start` and
 * `squadflow squad whatsapp` both come through here.
 */
export async function loadCatalog(options: {
  transport: Transport;
  prefix: string;
  workflows?: SeedWorkflowOptions;
  env?: Record<string, string | undefined>;
}): Promise<Catalog> {
  const { transport, prefix, env } = options;
  const squads = [...(await createSeedSquads({ transport, prefix, ...(env ? { env } : {}) })), agencySquad as SquadDefinition];
  return { squads, workflows: seedWorkflows(options.workflows) };
}

/** The agency squad needs no transport to be defined, so `squadflow squad agency` does not need the catalog. */
export const AGENCY: SquadDefinition = agencySquad;
