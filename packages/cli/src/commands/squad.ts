import type { Transport } from '@squadflow/transport';
import { runSquadProcess, type SquadDefinition } from '@squadflow/squads';
import { AGENCY, loadCatalog } from '@squadflow/embedded';
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
WHATSAPP_LLM_* (answer_message from a model: docs/llm.md). Exit 3 for an unknown squad.`,
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
    let definition: SquadDefinition | undefined = name === AGENCY.name ? AGENCY : undefined;
    if (!definition) {
      // Its buckets (inventory, ads, outbox) get the deployment's replicas, like every other process's.
      catalogTransport = await connectNats(config.natsUrl, logger, { replicas: config.replicas });
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
      await catalogTransport?.close();
    }
  },
};
