/**
 * The gateway as a process: `node --import tsx packages/gateway/src/bin/gateway.ts`.
 * Configured from the environment (SQUADFLOW_NATS_URL and SQUADFLOW_PREFIX as
 * every component; the gateway's own variables in packages/gateway/README.md).
 * Needs NATS: the embedded in-memory mode runs the gateway inside
 * `squadflow start`. Prints `ready` once listening; SIGTERM/SIGINT stop it
 * gracefully (requests in flight finish).
 */
import { connectNatsTransport } from '@squadflow/transport';
import { EngineClient } from '@squadflow/engine';
import { bootOrExit, createLogger, exitOnSignals, loadConfig, ServiceNames, SquadflowError, startTracing } from '@squadflow/shared';
import { loadGatewayConfig } from '../config.ts';
import { startGateway } from '../start.ts';

// A bad variable (or a port in use) exits 2 with one line naming it, not a stack trace.
const config = await bootOrExit('gateway', () => loadConfig());
const gatewayConfig = await bootOrExit('gateway', () => loadGatewayConfig());
const logger = createLogger({ component: 'gateway-process', level: config.logLevel });
// With OTEL_EXPORTER_OTLP_ENDPOINT set: a span per HTTP request, the parent of the executions it triggers (docs/observability.md).
const tracing = await bootOrExit('gateway', () => startTracing(ServiceNames.gateway, process.env, logger));
const natsUrl = await bootOrExit('gateway', () => {
  if (config.natsUrl) return config.natsUrl;
  throw new SquadflowError('INVALID_CONFIG', 'the gateway process needs NATS', [{ path: 'SQUADFLOW_NATS_URL', message: 'required' }]);
});
const transport = await connectNatsTransport({
  servers: natsUrl,
  name: `squadflow-gateway-${process.pid}`,
  logger,
  replicas: config.replicas,
});
const client = await EngineClient.connect({
  transport,
  prefix: config.prefix,
  logger,
  ...(config.maxContextBytes === undefined ? {} : { maxContextBytes: config.maxContextBytes }),
});
const running = await bootOrExit('gateway', () =>
  startGateway({ client, transport, prefix: config.prefix, logger, config: gatewayConfig }),
);
process.stdout.write('ready\n');

exitOnSignals(logger, async () => {
  await running.stop();
  await transport.close();
  await tracing.shutdown(); // exports the spans still queued
});
