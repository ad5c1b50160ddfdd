import type { Transport } from '@squadflow/transport';
import { runSquadProcess, type SquadDefinition } from '@squadflow/squads';
import { agencySquadFor, loadCatalog } from '@squadflow/embedded';
import { AGENCY_SQUAD } from '@squadflow/squads/catalog';
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
SQUADFLOW_SQUAD_SHUTDOWN_GRACE, SQUADFLOW_LOG_LEVEL; for whatsapp, WHATSAPP_* (Cloud API) and
WHATSAPP_LLM_* (answer_message from a model: docs/llm.md); for agency, SQUADFLOW_CHAIN_HANDOFFS
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
    const logger = cliLogger(config, { fallback: 'info' });
    // Catalog squads may keep state in KV (the agency squad publishes the triggers of its chain), so building
    // their definitions takes a connection of its own. Its buckets get the deployment's replicas, like every other process's.
    const catalogTransport: Transport = await connectNats(config.natsUrl, logger, { replicas: config.replicas });
    let definition: SquadDefinition | undefined;
    if (name === AGENCY_SQUAD) {
      try {
        // The agency opens no seed store: its NATS user may not (deploy/nats/authorization.conf).
        definition = agencySquadFor(catalogTransport, config.prefix);
      } catch (err) {
        await catalogTransport.close();
        throw err;
      }
    } else {
      const catalog = await loadCatalog({ transport: catalogTransport, prefix: config.prefix });
      definition = catalog.squads.find((s) => s.name === name);
      if (!definition) {
        await catalogTransport.close();
        const known = catalog.squads.map((s) => s.name).join(', ');
        throw new CliError(ExitCode.NOT_FOUND, `squad "${name}" not found (known: ${known})`);
      }
    }
    const squad = definition;
    try {
      // runSquadProcess prints `ready`, handles SIGTERM/SIGINT and reports the exit code; we only hand it on.
      return await new Promise<number>((resolve, reject) => {
        runSquadProcess(squad, { logger, exit: resolve }).catch(reject);
      });
    } finally {
      await catalogTransport.close();
    }
  },
};
