import { z } from 'zod';
import { SquadflowError, toFieldIssues } from './errors.ts';

/**
 * Environment configuration, validated once. Names live here and only here.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SQUADFLOW_NATS_URL | NATS server(s), comma-separated; unset = embedded in-memory mode | (unset) |
 * | SQUADFLOW_PREFIX | prefix of every subject, stream and bucket | sqf |
 * | SQUADFLOW_LOG_LEVEL | pino level | info |
 * | SQUADFLOW_CONCURRENCY | events processed in parallel per orchestrator | 256 |
 * | SQUADFLOW_SQUAD_LIMITS | step commands in flight per squad from one orchestrator, e.g. `whatsapp=8,inventory=16`; beyond it, higher priorities go first | (none) |
 * | SQUADFLOW_MAX_CONTEXT_BYTES | largest trigger or signal message the engine client accepts (context / data as JSON plus its envelope); at most half of NATS's max_payload | a quarter of max_payload (256 KiB) |
 * | SQUADFLOW_MAX_EVENT_ATTEMPTS | failed or unfinished tries of one event before its execution is quarantined (failed, `POISON_EVENT`) | 5 |
 * | SQUADFLOW_WORKFLOWS | a definition file (`.yaml`, `.yml`, `.json`) or a folder of them (e.g. `workflows/`) that the orchestrator process registers at boot, before it reports ready; an unchanged definition keeps its version. A bad file stops the boot (exit 2) with nothing registered | (none) |
 * | SQUADFLOW_REPLICAS | JetStream replicas of every stream and KV bucket this process creates (3 on a 3-node cluster: docs/deploy.md) | 1 |
 * | SQUADFLOW_HEALTH_FILE | a file the orchestrator or squad process rewrites every few seconds while its NATS connection answers (for a container health check: docs/deploy.md) | (none) |
 * | SQUADFLOW_STEP_PROGRESS_EVENTS | `off`: the orchestrator does not publish the routine `step.completed` and `step.skipped` lifecycle events (one JetStream write less per step; the step-duration metric and step progress over `/v1/events` go quiet: docs/gateway.md) | on |
 * | SQUADFLOW_REPLICA_ID | this orchestrator replica's id in the partition leases: unique among live replicas; a replica restarted under its id takes its partitions back at once (docs/architecture.md, "Partitions and leases") | hostname and pid |
 * | SQUADFLOW_FAILPOINTS | fault tests only: named failpoints to arm (see failpoints.ts) | (none) |
 */
/** JetStream's `num_replicas`: 1 on a single server, 3 (or 5) on a cluster of at least that many JetStream servers. */
export const ReplicasSchema = z.coerce.number().int().min(1, 'at least 1').max(5, 'JetStream allows at most 5 replicas').default(1);
/** Where a process reports that it is alive (an absolute path, e.g. /tmp/squadflow.health). */
export const HealthFileSchema = z.string().startsWith('/', 'an absolute path').optional();

export const EnvConfigSchema = z.object({
  SQUADFLOW_NATS_URL: z.string().min(1).optional(),
  SQUADFLOW_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/)
    .default('sqf'),
  SQUADFLOW_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SQUADFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(256),
  SQUADFLOW_SQUAD_LIMITS: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_-]*=[1-9][0-9]*(,[A-Za-z][A-Za-z0-9_-]*=[1-9][0-9]*)*$/,
      'expected squad=limit pairs separated by commas, e.g. whatsapp=8,inventory=16',
    )
    .optional(),
  SQUADFLOW_MAX_CONTEXT_BYTES: z.coerce.number().int().positive().optional(),
  SQUADFLOW_MAX_EVENT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  SQUADFLOW_WORKFLOWS: z.string().min(1).optional(),
  SQUADFLOW_REPLICAS: ReplicasSchema,
  SQUADFLOW_HEALTH_FILE: HealthFileSchema,
  SQUADFLOW_STEP_PROGRESS_EVENTS: z.enum(['on', 'off']).default('on'),
  SQUADFLOW_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits, "_", ".", ":" or "-" (1 to 128)')
    .optional(),
});
export type EnvConfig = z.output<typeof EnvConfigSchema>;

export interface Config {
  natsUrl: string | undefined;
  prefix: string;
  logLevel: EnvConfig['SQUADFLOW_LOG_LEVEL'];
  concurrency: number;
  /** Per-squad dispatch limits of one orchestrator (empty: none). */
  squadLimits: Record<string, number>;
  /** The engine client's `maxContextBytes` (unset: derived from the server's max_payload). */
  maxContextBytes?: number;
  /** Failed or unfinished tries of one event before its execution is quarantined. */
  maxEventAttempts: number;
  /** Definition file or folder the orchestrator process registers at boot (unset: none). */
  workflowsPath?: string;
  /** JetStream replicas of the streams and buckets this process creates. */
  replicas: number;
  /** The file a long-running process refreshes while healthy (unset: none). */
  healthFile?: string;
  /** Whether the orchestrator publishes `step.completed` and `step.skipped` (`STEP_PROGRESS_EVENTS`). */
  stepProgressEvents: boolean;
  /** The orchestrator replica's id in the partition leases (unset: hostname and pid). */
  replicaId?: string;
}

/** Reads and validates the environment; throws `INVALID_CONFIG` naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvConfigSchema.safeParse(cleaned);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  return {
    natsUrl: e.SQUADFLOW_NATS_URL,
    prefix: e.SQUADFLOW_PREFIX,
    logLevel: e.SQUADFLOW_LOG_LEVEL,
    concurrency: e.SQUADFLOW_CONCURRENCY,
    ...(e.SQUADFLOW_MAX_CONTEXT_BYTES === undefined ? {} : { maxContextBytes: e.SQUADFLOW_MAX_CONTEXT_BYTES }),
    maxEventAttempts: e.SQUADFLOW_MAX_EVENT_ATTEMPTS,
    ...(e.SQUADFLOW_WORKFLOWS === undefined ? {} : { workflowsPath: e.SQUADFLOW_WORKFLOWS }),
    replicas: e.SQUADFLOW_REPLICAS,
    stepProgressEvents: e.SQUADFLOW_STEP_PROGRESS_EVENTS === 'on',
    ...(e.SQUADFLOW_HEALTH_FILE === undefined ? {} : { healthFile: e.SQUADFLOW_HEALTH_FILE }),
    ...(e.SQUADFLOW_REPLICA_ID === undefined ? {} : { replicaId: e.SQUADFLOW_REPLICA_ID }),
    squadLimits: Object.fromEntries(
      (e.SQUADFLOW_SQUAD_LIMITS?.split(',') ?? []).map((pair) => {
        const [squad, limit] = pair.split('=') as [string, string];
        return [squad, Number(limit)];
      }),
    ),
  };
}
