import { TERMINAL_STATUSES, type Logger } from '@squadflow/shared';
import type { EventApplier } from './event-applier.ts';
import type { LiveExecution } from './execution-cache.ts';
import type { Clock } from '@squadflow/transport';
import type { ExecutionStore } from '../store/execution-store.ts';
import type { TimerService } from '../timers/timer-service.ts';

/** Rounds before the executions still failing are left to their next event. */
const MAX_ROUNDS = 10;
/** Executions recovered at once. */
const WORKERS = 16;

export interface RecoveryPassDeps {
  applier: EventApplier;
  executions: ExecutionStore;
  timers: TimerService;
  clock: Clock;
  logger: Logger;
  /** The executions this pass covers (default all): those of the partitions just won. */
  only?: (executionId: string) => boolean;
}

/**
 * The recovery pass, at start and then for each batch of partitions won
 * (their executions only). After a crash, the last effects of some
 * executions may not have been performed (persisted, then killed). Their
 * inbound message comes back after the ack wait and timers re-fire, but
 * re-performing every active execution's outbox now (idempotent by effect
 * id) gets them moving at once. The pass also re-arms step timeouts, which
 * live only in memory, so it must finish: a failed scan is retried (1 s,
 * doubling up to 30 s), and executions that fail are logged and retried in
 * later rounds, up to 10.
 */
export class RecoveryPass {
  /** Resolves when the pass is over (done, given up, or stopped). */
  done: Promise<void> = Promise.resolve();
  private stopping = false;
  /** Ends the pause between rounds (set while it waits). */
  private wake?: () => void;
  /** Executions written since the scan started: the scan's copies of them are stale. */
  private moved: Set<string> | undefined = new Set();

  constructor(private readonly deps: RecoveryPassDeps) {}

  start(): void {
    this.done = this.run();
  }

  /** Told of every execution written, so a stale copy from the scan is never restored over it. */
  noteWritten(executionId: string): void {
    this.moved?.add(executionId);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { clock, logger } = this.deps;
    let pauseMs = 1_000;
    let pending: Set<string> | undefined; // executions left after a partial round; undefined: all
    for (let round = 1; !this.stopping; round++) {
      try {
        const failed = await this.round(pending);
        // Later rounds read each record afresh: the scan's copies are stale by then.
        this.moved = undefined;
        if (!failed.size) return;
        if (round >= MAX_ROUNDS) {
          logger.error({ executions: [...failed] }, 'recovery pass: giving up on these; they resume on their next event or redelivery');
          return;
        }
        pending = failed;
        logger.warn({ executions: failed.size, retryInMs: pauseMs }, 'recovery pass: some executions failed; retrying them');
      } catch (err) {
        logger.error({ err, retryInMs: pauseMs }, 'recovery pass failed; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = clock.setTimer(clock.now() + pauseMs, resolve);
        this.wake = () => {
          clock.clearTimer(timer);
          resolve();
        };
      });
      this.wake = undefined;
      pauseMs = Math.min(pauseMs * 2, 30_000);
    }
  }

  /** One round; returns the executions that failed. */
  private async round(only?: Set<string>): Promise<Set<string>> {
    const { applier, executions, logger } = this.deps;
    const active = (await executions.scan()).filter(
      ({ record }) =>
        record.snapshot !== undefined &&
        !TERMINAL_STATUSES.has(record.status) &&
        (only === undefined || only.has(record.executionId)) &&
        (this.deps.only === undefined || this.deps.only(record.executionId)),
    );
    const failed = new Set<string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < active.length && !this.stopping) {
        const stored = active[next++]!;
        const id = stored.record.executionId;
        try {
          await applier.exclusive(id, async () => {
            // An event may have moved it since the scan: then the cache, or KV, has the newer revision.
            const live =
              applier.cached(id) ??
              (this.moved === undefined || this.moved.has(id)
                ? await applier.load(id)
                : await applier.restore(stored.record, stored.revision));
            if (!live) return;
            rearmTimeouts(this.deps.timers, live);
            await applier.flush(live);
          });
        } catch (err) {
          failed.add(id);
          logger.warn({ err, executionId: id }, 'recovery pass: execution failed');
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    logger.info({ executions: active.length, failed: failed.size }, 'recovery pass round done');
    return failed;
  }
}

/** Step timeouts live only in memory: after a restart (or a partition's move) they are armed again from the snapshot. */
export function rearmTimeouts(timers: TimerService, live: LiveExecution): void {
  const { executionId, volatileTimers } = live.snapshot.context;
  for (const [id, spec] of Object.entries(volatileTimers ?? {})) timers.restore({ kind: 'timer', id, executionId, ...spec });
}

/**
 * Arms every timer an execution's snapshot lists, on its partition's holder
 * (a `rearm` control, sent by the replica that applied an event of it): the
 * step timeouts from the snapshot, the stored ones from KV.
 */
export async function rearmAll(timers: TimerService, live: LiveExecution): Promise<void> {
  rearmTimeouts(timers, live);
  const volatile = live.snapshot.context.volatileTimers ?? {};
  await Promise.all(live.snapshot.context.timers.filter((id) => !(id in volatile)).map((id) => timers.reload(id)));
}
