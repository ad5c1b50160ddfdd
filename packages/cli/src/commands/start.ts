import type { Command } from '../command.ts';
import { startEmbedded, type Embedded } from '@squadflow/embedded';
import { ExitCode } from '../exit-codes.ts';
import { cliLogger } from '../session.ts';

function summary(embedded: Embedded) {
  return {
    mode: embedded.mode,
    prefix: embedded.prefix,
    orchestrator: 'running',
    squads: embedded.squads,
    workflows: embedded.workflows,
    gateway: embedded.gateway ?? null,
    ready: true,
  };
}

function describe(s: ReturnType<typeof summary>): string {
  const transport =
    s.mode === 'nats' ? 'NATS (SQUADFLOW_NATS_URL)' : 'in-memory adapters (set SQUADFLOW_NATS_URL for NATS; nothing survives a restart)';
  return [
    `squadflow running: ${transport}, prefix "${s.prefix}"`,
    `  orchestrator  running`,
    `  squads        ${s.squads.map((q) => `${q.name} (${q.actions.length} actions)`).join(', ')}`,
    `  workflows     ${s.workflows.map((w) => `${w.name} v${w.version}`).join(', ')}`,
    `  gateway       ${s.gateway ? s.gateway.url : 'not started'}`,
    'Stop with Ctrl-C (SIGINT) or SIGTERM.',
  ].join('\n');
}

/**
 * Resolves with the first SIGINT/SIGTERM. Signal listeners do not keep
 * Node's event loop alive, and an idle in-memory squadflow holds no handle
 * either, so an interval keeps the process up until the signal comes.
 */
function shutdownSignal(): Promise<NodeJS.Signals> {
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => () => {
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Run everything in one process: orchestrator, every seed squad, seed workflows (and later the gateway)',
  usage: 'start [--verbose]',
  details: `In-memory adapters by default; with SQUADFLOW_NATS_URL set, the same components on NATS.
Prints what runs, then "ready", and stays up until SIGINT/SIGTERM, when it stops gracefully.
With --json, prints one JSON object (with "ready": true) instead.`,
  options: { verbose: { type: 'boolean', short: 'v' } },
  positionals: { min: 0, max: 0 },
  async run({ values, out, config }) {
    const logger = cliLogger(config, { verbose: values['verbose'] === true, fallback: 'info' });
    const stopping = shutdownSignal();
    const embedded = await startEmbedded({
      ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
      prefix: config.prefix,
      logger,
      gateway: true,
    });
    try {
      const s = summary(embedded);
      if (out.json) out.event(s, () => '');
      else out.line(`${describe(s)}\nready`);
      const signal = await stopping;
      logger.info({ signal }, 'stopping');
      out.note(`${signal}: stopping`);
    } finally {
      await embedded.stop();
    }
    return ExitCode.OK;
  },
};
