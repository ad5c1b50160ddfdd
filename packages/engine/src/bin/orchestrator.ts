/**
 * The orchestrator as a process: `node --import tsx packages/engine/src/bin/orchestrator.ts`.
 * Configured from the environment (see packages/shared/src/config.ts); needs
 * SQUADFLOW_NATS_URL (the embedded in-memory mode runs everything in one
 * process and comes with `squadflow start`). With SQUADFLOW_WORKFLOWS set it
 * registers that definition file or folder (e.g. `workflows/`) before it
 * consumes. Prints `ready` once consuming; SIGTERM/SIGINT stop it gracefully
 * (events in progress finish). A bad configuration (a variable, a definition
 * file) exits 2 with a message naming it, having registered nothing. With
 * SQUADFLOW_HEALTH_FILE, keeps that file fresh for a container health check.
 * Streams and buckets it creates get SQUADFLOW_REPLICAS replicas.
 */
import { bootOrExit as boot, createLogger, exitOnSignals, loadConfig, ServiceNames, SquadflowError, startTracing } from '@squadflow/shared';
import { connectNatsTransport, startHealthFile } from '@squadflow/transport';
import { EngineClient } from '../client/engine-client.ts';
import { Orchestrator } from '../runtime/orchestrator.ts';
import { AlertEvaluator, loadAlertRules } from '../alerts/alert-evaluator.ts';
import { loadDefinitionFiles, registerDefinitionFiles, type DefinitionFile } from '../workflows/definition-files.ts';

const bootOrExit = <T>(step: () => Promise<T> | T): Promise<T> => boot('orchestrator', step);

const config = await bootOrExit(async () => loadConfig());
const logger = createLogger({ component: 'orchestrator-process', level: config.logLevel });
// With OTEL_EXPORTER_OTLP_ENDPOINT set: execution and step attempt spans over OTLP (docs/observability.md).
const tracing = await bootOrExit(() => startTracing(ServiceNames.orchestrator, process.env, logger));
const natsUrl = config.natsUrl;
if (!natsUrl) {
  await bootOrExit(async () => {
    throw new SquadflowError('INVALID_CONFIG', 'the orchestrator process needs NATS', [
      { path: 'SQUADFLOW_NATS_URL', message: 'required' },
    ]);
  });
}
// Every file read, validated and compiled before connecting: a bad one registers nothing.
const workflowsPath = config.workflowsPath;
const definitions: DefinitionFile[] = workflowsPath
  ? await bootOrExit(() =>
      loadDefinitionFiles(workflowsPath).catch((err: unknown) => {
        if (!(err instanceof SquadflowError)) throw err;
        throw new SquadflowError('INVALID_CONFIG', 'invalid environment', [{ path: 'SQUADFLOW_WORKFLOWS', message: err.message }]);
      }),
    )
  : [];
// SQUADFLOW_ALERTS with rules: this replica also runs the alert evaluator (one replica looks per period: docs/alerts.md).
const alerts = await bootOrExit(async () => loadAlertRules());
const transport = await connectNatsTransport({
  servers: natsUrl!,
  name: `squadflow-orchestrator-${process.pid}`,
  logger,
  replicas: config.replicas,
});
if (definitions.length) {
  // Before consuming: triggers already queued for these workflows find them.
  const client = await EngineClient.connect({ transport, prefix: config.prefix, logger });
  for (const { file, name, version, created } of await registerDefinitionFiles(definitions, (d) => client.registerWorkflow(d))) {
    logger.info({ workflow: name, version, created, file }, `${name} v${version} ${created ? 'created' : 'unchanged'} from ${file}`);
  }
}
const orchestrator = await Orchestrator.start({
  transport,
  prefix: config.prefix,
  logger,
  concurrency: config.concurrency,
  squadLimits: config.squadLimits,
  maxEventAttempts: config.maxEventAttempts,
  stepProgressEvents: config.stepProgressEvents,
  ...(config.replicaId ? { replicaId: config.replicaId } : {}),
});
const evaluator = alerts.rules.length
  ? await AlertEvaluator.start({
      transport,
      prefix: config.prefix,
      logger: logger.child({ component: 'alerts' }),
      rules: alerts.rules,
      intervalMs: alerts.evaluateEveryMs,
    })
  : undefined;
const health = config.healthFile ? startHealthFile({ path: config.healthFile, transport, logger }) : undefined;
process.stdout.write('ready\n');

exitOnSignals(logger, async () => {
  await evaluator?.stop();
  await health?.stop();
  await orchestrator.stop();
  await transport.close();
  await tracing.shutdown(); // exports the spans still queued
});
