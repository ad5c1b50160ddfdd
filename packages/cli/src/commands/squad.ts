import type { Transport } from '@squadflow/transport';
import { runSquadProcess, type SquadDefinition } from '@squadflow/squads';
import { agencySquadFor, loadCatalog, type Catalog } from '@squadflow/embedded';
import { AGENCY_SQUAD, SEED_SQUAD_NAMES, type SeedSquadName } from '@squadflow/squads/catalog';
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { cliLogger, connectNats } from '../session.ts';

export const squadCommand: Command = {
  name: 'squad',
  summary: 'Run one seed squad as its own process (needs SQUADFLOW_NATS_URL)',
  usage: 'squad <name>',
  details: `Connects to NATS, consumes the squad's step commands, prints "ready", and stops gracefully
on SIGTERM/SIGINT (running handlers finish and reply). Run it several times for replicas.
Environment: SQUADFLOW_NATS_URL (required), SQUADFLOW_PREFIX, SQUADFLOW_SQUAD_CONCURRENCY,
SQUADFLOW_SQUAD_SHUTDOWN_GRACE, SQUADFLOW_LOG_LEVEL, and the squad's adapters (docs/integrations.md:
INVENTORY_DATABASE_URL..., GOOGLE_ADS_*, WHATSAPP_*; unset, the squad simulates); for whatsapp also
WHATSAPP_LLM_* (answer_message from a model: docs/llm.md); for agency SQUADFLOW_CHAIN_HANDOFFS
(default true: each handoff starts the next) and SQUADFLOW_HANDOFF_MAX_HOPS (default 5).
Exit 3 for an unknown squad.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals, config }) {
    const name = positionals[0]!;
    if (!config.natsUrl) {
      throw new CliError(
        ExitCode.USAGE,
        'squad: a squad process needs SQUADFLOW_NATS_URL (for everything in one process, use `squadflow start`)',
        ['SQUADFLOW_NATS_URL: Required'],
      );
    }
    if (name !== AGENCY_SQUAD && !isSeedSquad(name)) {
      const known = [...SEED_SQUAD_NAMES, AGENCY_SQUAD].join(', ');
      throw new CliError(ExitCode.NOT_FOUND, `squad "${name}" not found (known: ${known})`);
    }
    const logger = cliLogger(config, { fallback: 'info' });
    // Catalog squads keep state in KV and the agency publishes the triggers of its chain, so building their
    // definitions takes a connection of its own. Its buckets get the deployment's replicas, like every other process's.
    const catalogTransport: Transport = await connectNats(config.natsUrl, logger, { replicas: config.replicas });
    let catalog: Catalog | undefined;
    let squad: SquadDefinition;
    try {
      if (name === AGENCY_SQUAD) {
        // The agency opens no seed store: its NATS user may not (deploy/nats/authorization.conf).
        squad = agencySquadFor(catalogTransport, config.prefix);
      } else {
        // Only this squad's adapters: the inventory process alone connects to PostgreSQL, and so on.
        catalog = await loadCatalog({ transport: catalogTransport, prefix: config.prefix, only: [name as SeedSquadName] });
        squad = catalog.squads[0]!;
      }
    } catch (err) {
      await catalogTransport.close();
      throw err;
    }
    try {
      // runSquadProcess prints `ready`, handles SIGTERM/SIGINT and reports the exit code; we only hand it on.
      return await new Promise<number>((resolve, reject) => {
        runSquadProcess(squad, { logger, exit: resolve }).catch(reject);
      });
    } finally {
      await catalog?.close();
      await catalogTransport.close();
    }
  },
};

function isSeedSquad(name: string): name is SeedSquadName {
  return (SEED_SQUAD_NAMES as readonly string[]).includes(name);
}
