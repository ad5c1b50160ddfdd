import { ensureStreams, type DeliveredMessage, type Transport } from '@squadflow/engine';
import { createLogger, names, SquadflowError, type Logger } from '@squadflow/shared';
import { normalizeActions, type ActionDefinition, type ActionHandler } from './action.ts';
import { handleCommand } from './handle-command.ts';
import { IDEMPOTENCY_TTL_MS, IdempotencyLedger } from './idempotency.ts';

const ACK_WAIT_MS = 30_000;

export interface SquadOptions {
  transport: Transport;
  /** Subject/stream/bucket prefix shared with the orchestrator (default `sqf`). */
  prefix?: string;
  /** Squad name: commands arrive on `<prefix>.cmd.<squad>.<action>`. */
  squad: string;
  /** Actions by name; a bare function is an action without schemas. */
  actions: Record<string, ActionDefinition | ActionHandler>;
  /** Handlers running at once in this process (default 32). Replicas add up. */
  concurrency?: number;
  logger?: Logger;
}

export interface RunningSquad {
  readonly squad: string;
  /** Stops consuming, then waits for in-flight handlers to finish and reply. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts consuming a squad's step commands. Replicas started with the same
 * squad name share the work (one durable consumer). Each command attempt runs
 * its handler at most once, even across crashes and redeliveries, and gets
 * exactly one reply (see README).
 */
export async function startSquad(options: SquadOptions): Promise<RunningSquad> {
  const { transport, squad } = options;
  const n = names(options.prefix ?? 'sqf');
  const concurrency = options.concurrency ?? 32;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SquadflowError('INVALID_ARGUMENT', 'invalid squad options', [{ path: 'concurrency', message: 'must be a positive integer' }]);
  }
  const filterSubject = n.squadCommands(squad); // also validates the squad name as a subject token
  const logger = (options.logger ?? createLogger()).child({ component: 'squad', squad });

  // The orchestrator ensures the same configs; `ensure` is idempotent, so start order does not matter.
  await ensureStreams(transport, n);
  const ledger = new IdempotencyLedger(await transport.kv(n.buckets.idempotency, { ttlMs: IDEMPOTENCY_TTL_MS }));
  const deps = { squad, names: n, transport, actions: normalizeActions(options.actions), ledger, logger };

  const inFlight = new Set<Promise<void>>();
  let stopping = false;
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
    { durable: n.consumers.squad(squad), filterSubject, maxAckPending: concurrency, ackWaitMs: ACK_WAIT_MS },
    onMessage,
  );
  logger.info({ actions: [...deps.actions.keys()], concurrency }, 'squad started');

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    await consumer.stop();
    // handleCommand never rejects (it naks on failure), so this only waits.
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    logger.info('squad stopped');
  };
  return {
    squad,
    stop: () => (stopped ??= stop()),
  };
}
