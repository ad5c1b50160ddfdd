import { connectNatsTransport, startHealthFile, type Transport } from '@squadflow/transport';
import {
  createLogger,
  DurationSchema,
  durationMs,
  HealthFileSchema,
  ReplicasSchema,
  ServiceNames,
  SquadflowError,
  startTracing,
  toFieldIssues,
  type Logger,
} from '@squadflow/shared';
import { z } from 'zod';
import type { SquadDefinition } from './define-squad.ts';
import { DEFAULT_SQUAD_CONCURRENCY, startSquad, type RunningSquad } from './runtime.ts';

/**
 * Environment of a squad process. Unlike the embedded mode, a squad running
 * as its own process has nothing to share memory with, so the NATS URL is required.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SQUADFLOW_NATS_URL | NATS server(s), comma-separated (`nats://user:pass@host:4222` accepted) | required |
 * | SQUADFLOW_PREFIX | prefix of every subject, stream and bucket | sqf |
 * | SQUADFLOW_LOG_LEVEL | pino level | info |
 * | SQUADFLOW_SQUAD_CONCURRENCY | handlers running at once in this process | 32 |
 * | SQUADFLOW_SQUAD_SHUTDOWN_GRACE | how long SIGTERM lets running handlers finish | 10s |
 * | SQUADFLOW_REPLICAS | JetStream replicas of the buckets the squad creates (packages/shared/src/config.ts) | 1 |
 * | SQUADFLOW_HEALTH_FILE | a file kept fresh while the NATS connection answers, for a container health check | (none) |
 *
 * A seed squad's adapters are chosen from its own variables when the catalog
 * builds its definition (`openSeedSquads({ only: [name] })`, before this runs):
 * `INVENTORY_DATABASE_URL`..., `GOOGLE_ADS_*`, `WHATSAPP_*`; unset, the squad
 * simulates and says so in its outputs (docs/integrations.md).
 *
 * With `OTEL_EXPORTER_OTLP_ENDPOINT` set it also traces (service
 * `squadflow-squad-<name>`; the OTEL_* variables in packages/shared/src/tracing/start-tracing.ts).
 */
export const SquadEnvSchema = z.object({
  SQUADFLOW_NATS_URL: z.string({ error: 'required: the NATS server(s) a squad process connects to' }).min(1),
  SQUADFLOW_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, 'lowercase letter, then lowercase letters, digits or "_" (max 32)')
    .default('sqf'),
  SQUADFLOW_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SQUADFLOW_SQUAD_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_SQUAD_CONCURRENCY),
  SQUADFLOW_SQUAD_SHUTDOWN_GRACE: DurationSchema.default('10s'),
  SQUADFLOW_REPLICAS: ReplicasSchema,
  SQUADFLOW_HEALTH_FILE: HealthFileSchema,
});

export interface SquadProcessConfig {
  natsUrl: string;
  prefix: string;
  logLevel: z.output<typeof SquadEnvSchema>['SQUADFLOW_LOG_LEVEL'];
  concurrency: number;
  shutdownGraceMs: number;
  replicas: number;
  healthFile?: string;
}

/** Reads and validates a squad process's environment; throws `INVALID_CONFIG` naming each variable at fault. */
export function loadSquadProcessConfig(env: Record<string, string | undefined> = process.env): SquadProcessConfig {
  // An empty variable means unset, as in shells and compose files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = SquadEnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid squad environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  return {
    natsUrl: e.SQUADFLOW_NATS_URL,
    prefix: e.SQUADFLOW_PREFIX,
    logLevel: e.SQUADFLOW_LOG_LEVEL,
    concurrency: e.SQUADFLOW_SQUAD_CONCURRENCY,
    shutdownGraceMs: durationMs(e.SQUADFLOW_SQUAD_SHUTDOWN_GRACE),
    replicas: e.SQUADFLOW_REPLICAS,
    ...(e.SQUADFLOW_HEALTH_FILE === undefined ? {} : { healthFile: e.SQUADFLOW_HEALTH_FILE }),
  };
}

export interface SquadProcessOptions {
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Where `ready` is written once the squad consumes (default `process.stdout`). */
  stdout?: { write(text: string): unknown };
  /** Install SIGTERM/SIGINT handlers that stop gracefully and exit (default true). */
  handleSignals?: boolean;
  /** Called with the exit code after a signal-triggered stop (default `process.exit`). */
  exit?: (code: number) => void;
  logger?: Logger;
}

export interface SquadProcess {
  readonly config: SquadProcessConfig;
  readonly squad: RunningSquad;
  readonly transport: Transport;
  /** Graceful stop of the squad, then closes the NATS connection. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs a squad as its own process (what `squadflow squad <name>` calls):
 * validates the environment, connects to NATS, starts the squad, prints
 * `ready` on stdout, and on SIGTERM/SIGINT stops gracefully then exits 0
 * (1 if the stop failed). Rejects, without connecting, on a bad environment.
 */
export async function runSquadProcess(definition: SquadDefinition, options: SquadProcessOptions = {}): Promise<SquadProcess> {
  const config = loadSquadProcessConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { pid: process.pid } });
  // With OTEL_EXPORTER_OTLP_ENDPOINT set: handler spans, exported until `stop` flushes them (docs/observability.md).
  const tracing = await startTracing(ServiceNames.squad(definition.name), options.env ?? process.env, logger);
  let transport: Transport;
  try {
    transport = await connectNatsTransport({
      servers: config.natsUrl,
      name: `squad-${definition.name}`,
      logger,
      replicas: config.replicas,
    });
  } catch (err) {
    await tracing.shutdown();
    throw err;
  }
  let squad: RunningSquad;
  try {
    squad = await startSquad({
      definition,
      transport,
      prefix: config.prefix,
      concurrency: config.concurrency,
      shutdownGraceMs: config.shutdownGraceMs,
      logger,
    });
  } catch (err) {
    await transport.close();
    await tracing.shutdown();
    throw err;
  }
  const health = config.healthFile ? startHealthFile({ path: config.healthFile, transport, logger }) : undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await health?.stop();
      await squad.stop();
      await transport.close();
      await tracing.shutdown();
    })());

  if (options.handleSignals !== false) {
    const exit = options.exit ?? ((code: number) => process.exit(code));
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopped) {
        logger.warn({ signal }, 'already stopping');
        return;
      }
      logger.info({ signal }, 'stopping gracefully');
      stop().then(
        () => exit(0),
        (err: unknown) => {
          logger.error({ err }, 'graceful stop failed');
          exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  (options.stdout ?? process.stdout).write('ready\n');
  return { config, squad, transport, stop };
}
