import type { Command } from '../command.ts';
import type { Embedded } from '@squadflow/embedded';
import { ServiceNames, startTracing } from '@squadflow/shared';
import { ExitCode } from '../exit-codes.ts';
import { cliLogger } from '../session.ts';

function summary(embedded: Embedded) {
  return {
    /** This process: what to signal to stop it (a package manager in front of it may not pass a SIGKILL on). */
    pid: process.pid,
    mode: embedded.mode,
    prefix: embedded.prefix,
    orchestrator: 'running',
    squads: embedded.squads,
    workflows: embedded.workflows,
    integrations: embedded.integrations,
    gateway: embedded.gateway ?? null,
    ready: true,
  };
}

function describe(s: ReturnType<typeof summary>): string {
  const transport =
    s.mode === 'nats' ? 'NATS (SQUADFLOW_NATS_URL)' : 'in-memory adapters (set SQUADFLOW_NATS_URL for NATS; nothing survives a restart)';
  const url = s.gateway?.url;
  return [
    `squadflow running: ${transport}, prefix "${s.prefix}"`,
    `  orchestrator  running`,
    `  squads        ${s.squads.map((q) => `${q.name} (${q.actions.length} actions)`).join(', ')}`,
    `  workflows     ${s.workflows.map((w) => `${w.name} v${w.version}`).join(', ')}`,
    `  integrations  ${s.integrations.map((i) => `${i.port} ${i.simulated ? 'simulated' : 'real'}`).join(', ')}  (docs/integrations.md)`,
    `  gateway       ${url ?? 'not started'}  (HTTP API; OpenAPI at ${url ?? ''}/openapi.json)`,
    ...(url ? [`  ui            ${url}/ui/  (the operator's web UI, docs/ui.md)`] : []),
    '',
    'From another terminal (the CLI reaches this server at SQUADFLOW_URL, default http://127.0.0.1:8080):',
    ...(url && url !== DEFAULT_URL ? [`  export SQUADFLOW_URL=${url}`] : []),
    `  pnpm exec squadflow trigger abandoned_cart_recovery --data '{"customer_phone":"+5511999999999","abandoned_items":[{"id":"prod_1"}]}'`,
    '  pnpm exec squadflow ls',
    '  pnpm exec squadflow status <execution id>',
    '',
    'Stop with Ctrl-C (SIGINT) or SIGTERM.',
  ].join('\n');
}

const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * Resolves with the first SIGINT/SIGTERM, or when the process that started
 * this one goes away (a package manager killed with SIGKILL does not pass a
 * signal on; its child is re-parented and would keep the port). Signal
 * listeners do not keep Node's event loop alive, and an idle in-memory
 * squadflow holds no handle either, so an interval keeps the process up.
 */
function shutdownSignal(): Promise<NodeJS.Signals | 'orphaned'> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const stop = (reason: NodeJS.Signals | 'orphaned') => {
      clearInterval(watch);
      resolve(reason);
    };
    const watch = setInterval(() => {
      if (process.ppid !== parent) stop('orphaned');
    }, 1_000);
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Run a squadflow server in one process: orchestrator, every seed squad, the seed workflows and the HTTP gateway',
  usage: 'start [--verbose] [--no-chain-handoffs]',
  details: `In-memory adapters by default; with SQUADFLOW_NATS_URL set, the same components on NATS.
SQUADFLOW_WORKFLOWS (a definition file or folder) is registered after the seed workflows.
Serves the HTTP API (and what the other commands talk to) on SQUADFLOW_HOST:SQUADFLOW_PORT,
default 127.0.0.1:8080; without SQUADFLOW_API_TOKENS it binds to loopback only. A port in use
exits 2 naming SQUADFLOW_PORT.
Prints what runs, then "ready", and stays up until SIGINT/SIGTERM (or until the process that
started it dies), when it stops gracefully. With --json, prints one JSON object ("ready": true).
The agency's handoffs (seed 001) start one another, at most SQUADFLOW_HANDOFF_MAX_HOPS (default 5)
per chain: --no-chain-handoffs (or SQUADFLOW_CHAIN_HANDOFFS=false) turns that off (docs/handoffs.md).`,
  options: { verbose: { type: 'boolean', short: 'v' }, 'no-chain-handoffs': { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run({ values, out, config }) {
    const logger = cliLogger(config, { verbose: values['verbose'] === true, fallback: 'info' });
    const stopping = shutdownSignal();
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, before the gateway is built (it traces requests only then): docs/observability.md.
    const tracing = await startTracing(ServiceNames.embedded, process.env, logger);
    // Loaded here, not at the top: the other commands start faster without the embedded runtime.
    const { startEmbedded } = await import('@squadflow/embedded');
    const embedded = await startEmbedded({
      ...(config.natsUrl ? { natsUrl: config.natsUrl, replicas: config.replicas } : {}),
      prefix: config.prefix,
      logger,
      gateway: true,
      ...(values['no-chain-handoffs'] === true ? { chainHandoffs: false } : {}),
      ...(config.workflowsPath ? { workflowsPath: config.workflowsPath } : {}),
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
      await tracing.shutdown(); // exports the spans still queued
    }
    return ExitCode.OK;
  },
};
