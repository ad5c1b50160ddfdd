import { SquadflowError, toFieldIssues, type Logger } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';
import { z } from 'zod';
import type { SignalBufferLimits } from '../store/signal-buffer.ts';
import type { RetentionOptions } from '../retention/retention-options.ts';
import { DEFAULT_LEASE_RENEW_MS, DEFAULT_LEASE_TTL_MS } from '../partitions/partition-leases.ts';

/** Default of `maxEventAttempts`. */
export const DEFAULT_MAX_EVENT_ATTEMPTS = 5;
/**
 * The inbound consumer's `maxDeliver`, per allowed event try: a backstop only
 * (the poison guard quarantines after `maxEventAttempts` counted tries), set
 * high because infrastructure failures, which the guard does not count, are
 * delivered again too.
 */
export const MAX_DELIVER_PER_ATTEMPT = 20;

export interface OrchestratorOptions {
  transport: Transport;
  /** Subject/bucket prefix (default `sqf`). */
  prefix?: string;
  logger?: Logger;
  /** Inbound messages in flight at once (default 256). */
  concurrency?: number;
  /** Drop every actor from memory after each event, so the next one restores it from storage. */
  evictAfterEvent?: boolean;
  /**
   * Commands in flight per squad from this orchestrator (e.g. `{ whatsapp: 8 }`):
   * beyond it, step commands wait and go out highest priority first. Default: no limit.
   */
  squadLimits?: Readonly<Record<string, number>>;
  /** Executions kept in memory (default 10,000); others are restored from KV on their next event. */
  maxCachedExecutions?: number;
  /**
   * Bounds of the buffer of signals that found nobody waiting (default: kept
   * 24 h, 64 KiB per signal, 64 MiB in all). Applied when the `<p>_signals`
   * bucket is created; an existing bucket keeps its size, reads honour `ttlMs`.
   */
  signalBuffer?: Partial<SignalBufferLimits>;
  /**
   * Tries of one event that fail, or kill the process, before its execution
   * is quarantined: failed with `POISON_EVENT`, without applying the event,
   * so the others go on (default 5). Infrastructure failures do not count.
   */
  maxEventAttempts?: number;
  /**
   * Largest step payload, in bytes: a mapped input over it fails its step,
   * and so does a squad reply message over it (`PAYLOAD_TOO_LARGE`, not
   * retried). Default: a quarter of the transport's max payload (256 KiB on
   * a default NATS), since the execution record holds inputs and outputs.
   */
  maxStepPayloadBytes?: number;
  /** How long ended executions stay in the hot store before they are archived (default 7 d, env `SQUADFLOW_RETENTION`; docs/retention.md). */
  retention?: RetentionOptions;
  /**
   * Publish the routine per-step lifecycle events, `step.completed` and
   * `step.skipped` (default true). False saves one JetStream write per step
   * (4 of a 4-step chain's 6 events); subscribers of those types, the
   * step-duration metric and step progress over `/v1/events` then hear
   * nothing of steps that end well. Every other event is always published.
   */
  stepProgressEvents?: boolean;
  /**
   * This replica's id in the partition leases (docs/architecture.md,
   * "Partitions and leases"): unique among live replicas. Default: hostname
   * and pid (env `SQUADFLOW_REPLICA_ID`). Replicas in one process with the
   * same id act as one: each holds every partition that id holds.
   */
  replicaId?: string;
  /** How long a partition lease holds without renewal (default 5 s): a dead replica's partitions move after about this long. */
  leaseTtlMs?: number;
  /** How often leases are renewed and the partition map looked at (default 1 s; under `leaseTtlMs`). */
  leaseRenewMs?: number;
}

const positiveInt = z.number().int().positive();

/** The numeric and boolean options, checked at start: a bad one is refused naming its field, never run with. */
const BoundsSchema = z.object({
  concurrency: positiveInt.optional(),
  maxCachedExecutions: z.number().int().nonnegative().optional(),
  maxEventAttempts: positiveInt.max(100).optional(),
  maxStepPayloadBytes: positiveInt.optional(),
  signalBuffer: z.object({ ttlMs: positiveInt, maxSignalBytes: positiveInt, maxBytes: positiveInt }).partial().optional(),
  stepProgressEvents: z.boolean().optional(),
  replicaId: z.string().min(1).max(128).optional(),
  leaseTtlMs: positiveInt.min(100).optional(),
  leaseRenewMs: positiveInt.min(10).optional(),
});

/** Throws `INVALID_ARGUMENT` naming each bad numeric (or boolean) option. */
export function checkOrchestratorOptions(options: OrchestratorOptions): void {
  // The schema strips the other options (transport, logger, ...): only the bounded ones are checked.
  const parsed = BoundsSchema.refine((o) => (o.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS) < (o.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS), {
    path: ['leaseRenewMs'],
    message: 'must be shorter than leaseTtlMs',
  }).safeParse(options);
  if (!parsed.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid orchestrator options', toFieldIssues(parsed.error.issues));
}
