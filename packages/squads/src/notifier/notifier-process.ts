import { createLogger, exitOnSignals, loadAlertsConfig, type Logger } from '@squadflow/shared';
import { connectNatsTransport, startHealthFile } from '@squadflow/transport';
import { loadSquadProcessConfig } from '../process.ts';
import { channelsFromEnv } from './notifier-env.ts';
import { startNotifier, type RunningNotifier } from './notifier.ts';

export interface NotifierProcessOptions {
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Where `ready` is written (default `process.stdout`). */
  stdout?: { write(text: string): unknown };
  logger?: Logger;
}

/**
 * The notifier as its own process (`squadflow notifier`, the `notifier`
 * compose service): the squad process environment (SQUADFLOW_NATS_URL
 * required, SQUADFLOW_PREFIX, SQUADFLOW_LOG_LEVEL, SQUADFLOW_REPLICAS,
 * SQUADFLOW_HEALTH_FILE), routes from SQUADFLOW_ALERTS and channel secrets
 * (notifier-env.ts). Everything is validated before connecting; prints
 * `ready`; SIGTERM/SIGINT stop it (deliveries in progress finish) and exit.
 * Replicas share the durable consumers.
 */
export async function runNotifierProcess(options: NotifierProcessOptions = {}): Promise<RunningNotifier> {
  const env = options.env ?? process.env;
  const config = loadSquadProcessConfig(env);
  const alerts = loadAlertsConfig(env);
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { pid: process.pid } });
  const transport = await connectNatsTransport({ servers: config.natsUrl, name: 'squadflow-notifier', logger, replicas: config.replicas });
  let notifier: RunningNotifier;
  try {
    const channels = await channelsFromEnv(alerts.notify, transport, config.prefix, env);
    notifier = await startNotifier({ transport, prefix: config.prefix, logger, config: alerts.notify, channels });
  } catch (err) {
    await transport.close();
    throw err;
  }
  const health = config.healthFile ? startHealthFile({ path: config.healthFile, transport, logger }) : undefined;
  exitOnSignals(logger, async () => {
    await health?.stop();
    await notifier.stop();
    await transport.close();
  });
  (options.stdout ?? process.stdout).write('ready\n');
  return notifier;
}
