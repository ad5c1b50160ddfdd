/**
 * The orchestrator as a process: `node --import tsx packages/engine/src/bin/orchestrator.ts`.
 * Configured from the environment (see packages/shared/src/config.ts); needs
 * SQUADFLOW_NATS_URL (the embedded in-memory mode runs everything in one
 * process and comes with `squadflow start`). Prints `ready` once consuming;
 * SIGTERM/SIGINT stop it gracefully (events in progress finish).
 */
import { createLogger, exitOnSignals, loadConfig, SquadflowError } from '@squadflow/shared';
import { connectNatsTransport } from '@squadflow/transport';
import { Orchestrator } from '../runtime/orchestrator.ts';

const config = loadConfig();
const logger = createLogger({ component: 'orchestrator-process', level: config.logLevel });
if (!config.natsUrl) {
  throw new SquadflowError('INVALID_CONFIG', 'the orchestrator process needs NATS', [{ path: 'SQUADFLOW_NATS_URL', message: 'required' }]);
}
const transport = await connectNatsTransport({ servers: config.natsUrl, name: `squadflow-orchestrator-${process.pid}`, logger });
const orchestrator = await Orchestrator.start({
  transport,
  prefix: config.prefix,
  logger,
  concurrency: config.concurrency,
  squadLimits: config.squadLimits,
  maxEventAttempts: config.maxEventAttempts,
});
process.stdout.write('ready\n');

exitOnSignals(logger, async () => {
  await orchestrator.stop();
  await transport.close();
});
