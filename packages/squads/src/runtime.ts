import { ensureStreams, natsConnectionOf, type DeliveredMessage, type Transport } from '@squadflow/transport';
import { createLogger, durationMs, names, SquadflowError, type FieldIssue, type Logger } from '@squadflow/shared';
import type { AttemptControl } from './attempt.ts';
import { defineSquad, deliveryOf, type SquadDefinition } from './define-squad.ts';
import { announceSquad, describeSquad } from './directory.ts';
import { handleCommand, type CommandDeps, type RuntimeAction } from './handle-command.ts';
import { IDEMPOTENCY_TTL_MS, IdempotencyLedger } from './idempotency.ts';
import { localSquadService, registerSquadService } from './services.ts';
import { SquadStats, type ActionStats } from './stats.ts';

/**
 * How long a delivered command stays with its process without a sign of
 * life. Running handlers send one every 3 s (handle-command.ts), so only a
 * dead process's commands wait it out: each of them holds one of the
 * durable's `concurrency` slots meanwhile, and with 30 s a squad restarted
 * a few times in a row had every slot held by its dead predecessors while
 * attempts timed out (C1's long form, docs/reliability.md).
 */
const ACK_WAIT_MS = 10_000;
/** Default of `shutdownGraceMs`. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Default of `concurrency`. */
export const DEFAULT_SQUAD_CONCURRENCY = 32;

export interface SquadOptions {
  /** The squad (`defineSquad`): commands arrive on `<prefix>.cmd.<name>.<action>`. */
  definition: SquadDefinition;
  transport: Transport;
  /** Subject/stream/bucket prefix shared with the orchestrator (default `sqf`). */
  prefix?: string;
  /** Handlers running at once in this process (default 32). See the README on replicas. */
  concurrency?: number;
  logger?: Logger;
  /** How long `stop()` lets running handlers finish before interrupting them (default 10 s). */
  shutdownGraceMs?: number;
}

export interface RunningSquad {
  readonly squad: string;
  readonly definition: SquadDefinition;
  /** This replica's counters per action (commands answered, failed, handlers running). */
  stats(): Record<string, ActionStats>;
  /**
   * Graceful stop: stops taking commands, lets running handlers finish for
   * up to `shutdownGraceMs`, then aborts the rest and answers them
   * `INTERRUPTED` (retryable: the orchestrator retries them as new attempts,
   * which other replicas run). Resolves once every taken command is answered
   * or handed back. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts consuming a squad's step commands. Replicas started with the same
 * squad name share the work (one durable consumer). Each command attempt runs
 * its handler at most once, even across crashes and redeliveries, and gets
 * exactly one reply (see README). The squad's description is written to the
 * `<prefix>_squads` KV bucket and, on NATS, registered with the services API.
 */
export async function startSquad(options: SquadOptions): Promise<RunningSquad> {
  const { transport } = options;
  const definition: SquadDefinition = defineSquad(options.definition);
  const squad = definition.name;
  const prefix = options.prefix ?? 'sqf';
  const n = names(prefix);
  const concurrency = options.concurrency ?? DEFAULT_SQUAD_CONCURRENCY;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  checkOptions(concurrency, graceMs);
  const logger = (options.logger ?? createLogger()).child({ component: 'squad', squad });

  // The orchestrator ensures the same configs; `ensure` is idempotent, so start order does not matter.
  await ensureStreams(transport, n);
  const ledger = new IdempotencyLedger(await transport.kv(n.buckets.idempotency, { ttlMs: IDEMPOTENCY_TTL_MS }));
  const description = describeSquad(definition, transport.clock.now());
  await announceSquad(transport, prefix, description, logger);

  const actions = new Map<string, RuntimeAction>(
    Object.entries(definition.actions).map(([name, a]) => [
      name,
      {
        ...a,
        ...(a.timeout === undefined ? {} : { timeoutMs: durationMs(a.timeout) }),
        atLeastOnce: deliveryOf(definition, a) === 'at-least-once',
      },
    ]),
  );
  const stats = new SquadStats(actions.keys());
  const running = new Set<AttemptControl>();
  let stopping = false;
  let interrupting = false;
  const deps: CommandDeps = {
    squad,
    names: n,
    transport,
    actions,
    ledger,
    logger,
    stats,
    running,
    interrupting: () => interrupting,
    answers: new Map(),
  };

  const inFlight = new Set<Promise<void>>();
  const onMessage = (msg: DeliveredMessage): Promise<void> => {
    if (stopping) {
      // Delivered while stopping: hand it back at once so another replica takes it.
      msg.nak();
      return Promise.resolve();
    }
    const work = handleCommand(msg, deps).finally(() => inFlight.delete(work));
    inFlight.add(work);
    return work;
  };
  const consumer = await transport.streams.consume(
    n.streams.commands,
    { durable: n.consumers.squad(squad), filterSubject: n.squadCommands(squad), maxAckPending: concurrency, ackWaitMs: ACK_WAIT_MS },
    onMessage,
  );
  const nc = natsConnectionOf(transport);
  const service = nc
    ? await registerSquadService(nc, { prefix, description, stats, logger }).catch((err: unknown) => {
        // Commands still flow without it; operators just cannot see this replica through `nats micro`.
        logger.warn({ err }, 'could not register with the NATS services API');
        return undefined;
      })
    : undefined;
  // On the memory transport the process's own directory lists the squad (what NATS' services API does otherwise).
  const unregister = nc ? undefined : transport.services?.register?.(localSquadService(prefix, description, stats, transport.clock.now()));
  logger.info({ actions: [...actions.keys()], concurrency }, 'squad started');

  const stop = async (): Promise<void> => {
    stopping = true;
    await consumer.stop();
    // handleCommand never rejects (it naks on failure), so these only wait.
    if (!(await settledWithin(inFlight, graceMs))) {
      interrupting = true;
      logger.warn({ running: running.size, graceMs }, 'shutdown grace ended; interrupting running handlers');
      for (const control of running) control.interrupt();
    }
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    await service?.stop().catch((err: unknown) => logger.debug({ err }, 'services API stop failed'));
    unregister?.();
    logger.info('squad stopped');
  };
  let stopped: Promise<void> | undefined;
  return {
    squad,
    definition,
    stats: () => stats.snapshot(),
    stop: () => (stopped ??= stop()),
  };
}

/** Waits until `work` is empty (it may grow meanwhile) or `ms` of wall time passed; true if it emptied. */
async function settledWithin(work: Set<Promise<void>>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    while (work.size > 0) {
      if ((await Promise.race([Promise.allSettled([...work]).then(() => true as const), expired])) === false) return false;
    }
    return true;
  } finally {
    clearTimeout(timer);
  }
}

function checkOptions(concurrency: number, graceMs: number): void {
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(concurrency) || concurrency < 1) issues.push({ path: 'concurrency', message: 'must be a positive integer' });
  if (!Number.isFinite(graceMs) || graceMs < 0) issues.push({ path: 'shutdownGraceMs', message: 'must be a non-negative number' });
  if (issues.length) throw new SquadflowError('INVALID_ARGUMENT', 'invalid squad options', issues);
}
