import type { Transport } from '@squadflow/transport';
import { runSquadProcess, type SquadDefinition } from '@squadflow/squads';
import { AGENCY, loadCatalog, type Catalog } from '@squadflow/embedded';
import { SEED_SQUAD_NAMES, type SeedSquadName } from '@squadflow/squads/catalog';
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
INVENTORY_DATABASE_URL..., GOOGLE_ADS_*, WHATSAPP_*; unset, the squad simulates). Exit 3 for an unknown squad.`,
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
    const logger = cliLogger(config, { fallback: 'info' });
    // Catalog squads may keep state in KV, so building their definitions takes a connection of its own.
    let catalogTransport: Transport | undefined;
    let catalog: Catalog | undefined;
    let definition: SquadDefinition | undefined = name === AGENCY.name ? AGENCY : undefined;
    if (!definition) {
      if (!isSeedSquad(name)) {
        const known = [...SEED_SQUAD_NAMES, AGENCY.name].join(', ');
        throw new CliError(ExitCode.NOT_FOUND, `squad "${name}" not found (known: ${known})`);
      }
      // Its buckets (inventory, ads, outbox) get the deployment's replicas, like every other process's.
      catalogTransport = await connectNats(config.natsUrl, logger, { replicas: config.replicas });
      try {
        // Only this squad's adapters: the inventory process alone connects to PostgreSQL, and so on.
        catalog = await loadCatalog({ transport: catalogTransport, prefix: config.prefix, only: [name] });
      } catch (err) {
        await catalogTransport.close();
        throw err;
      }
      definition = catalog.squads[0]!;
    }
    const squad = definition;
    try {
      // runSquadProcess prints `ready`, handles SIGTERM/SIGINT and reports the exit code; we only hand it on.
      return await new Promise<number>((resolve, reject) => {
        runSquadProcess(squad, { logger, exit: resolve }).catch(reject);
      });
    } finally {
      await catalog?.close();
      await catalogTransport?.close();
    }
  },
};

function isSeedSquad(name: string): name is SeedSquadName {
  return (SEED_SQUAD_NAMES as readonly string[]).includes(name);
}
