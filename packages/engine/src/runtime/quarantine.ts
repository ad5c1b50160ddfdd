import { isTerminal, type Logger } from '@squadflow/shared';
import { PayloadTooLargeError, type Clock } from '@squadflow/transport';
import { z } from 'zod';
import { lifecycleId } from '../compile/ids.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import { publishLifecycle, releaseSlot, type EffectDeps } from './effects.ts';
import { notifyWatcher, performLinkEffect } from './link-effects.ts';

/** An execution's error as its record holds it. */
export type ExecutionError = NonNullable<ExecutionRecord['error']>;

/** What the stored snapshot still holds armed, to release it (read loosely: a best effort). */
const ArmedSchema = z.object({
  context: z.object({
    timers: z.array(z.string()).default([]),
    waits: z.array(z.object({ key: z.string(), step: z.string() })).default([]),
    watchers: z
      .array(
        z.object({ executionId: z.string(), step: z.string(), attempt: z.number().int(), mode: z.enum(['child', 'compensation', 'wait']) }),
      )
      .default([]),
    children: z.array(z.object({ executionId: z.string(), step: z.string() })).default([]),
  }),
});

export interface QuarantineDeps {
  effects: EffectDeps;
  clock: Clock;
  logger: Logger;
  /** Drops the execution's actor from the applier's cache. */
  forget(executionId: string): void;
}

/**
 * Ends an execution as `failed` without applying anything more to it: the
 * way out for an execution whose next event cannot be applied (it kept
 * failing or killing the process: `POISON_EVENT`; its record would outgrow
 * the store: `RECORD_TOO_LARGE`). The statechart is never run again: the
 * stored record gets `status: failed` and the error, and keeps the last
 * snapshot that was stored (the view still shows where each step was). The
 * applier treats such a record as ended, and never replays its outbox.
 * Then, as an ending does: `execution.failed` goes out with the error, the
 * workflow's concurrency slot is released, and the timers and waits the
 * snapshot holds are released (best effort; any left over find the
 * execution ended). Callers hold the execution's turn (no event of it runs
 * meanwhile). Idempotent: a repeat after a crash re-sends what follows the
 * write.
 */
export class Quarantine {
  constructor(private readonly deps: QuarantineDeps) {}

  /**
   * Fails the execution with `error`. `origin` is written when no record
   * exists (a trigger whose start was the poison). Returns false when the
   * execution had ended otherwise (nothing to do).
   */
  async fail(executionId: string, error: ExecutionError, origin?: () => ExecutionRecord): Promise<boolean> {
    const { effects, clock, logger } = this.deps;
    const now = clock.now();
    let stored: ExecutionRecord | null = null;
    for (const [i, shape] of SLIMMER.entries()) {
      try {
        const { record } = await effects.executions.mutate(executionId, (current) => {
          if (current && isTerminal(current.status)) return undefined;
          const base = current ?? origin?.();
          return base ? shape({ ...base, status: 'failed', updatedAt: now, error }) : undefined;
        });
        stored = record?.value ?? null;
        break;
      } catch (err) {
        // The last stored snapshot fitted; with the error added it may not: drop what the failure does not need.
        if (!(err instanceof PayloadTooLargeError) || i === SLIMMER.length - 1) throw err;
      }
    }
    this.deps.forget(executionId);
    if (!stored || stored.status !== 'failed' || stored.error?.code !== error.code) return false;
    logger.error({ executionId, workflow: stored.workflow, error }, 'execution quarantined: failed without applying its event');
    await this.release(stored, now);
    return true;
  }

  private async release(record: ExecutionRecord, now: number): Promise<void> {
    const { effects } = this.deps;
    const { executionId, workflow, version } = record;
    if (version !== undefined) {
      const ref = { executionId, workflow, version, now };
      const effect = {
        kind: 'lifecycle',
        id: lifecycleId(executionId, 'execution.failed'),
        type: 'execution.failed',
        data: record.error,
      } as const;
      await publishLifecycle(effects, ref, effect);
    }
    await releaseSlot(effects, workflow, executionId);
    const armed = ArmedSchema.safeParse(record.snapshot);
    if (!armed.success) return;
    const end = { status: 'failed', ...(record.error ? { error: record.error } : {}) };
    await Promise.all([
      ...armed.data.context.timers.map((id) => effects.timers.cancel(id)),
      ...armed.data.context.waits.map((w) => effects.waits.unregister(w.key, executionId, w.step)),
      // Its watchers (a parent step, waits on it) are told, and its running children cancelled, as any ending does.
      ...armed.data.context.watchers.map((w) => notifyWatcher(effects, executionId, w, end)),
      ...armed.data.context.children.map((c) =>
        performLinkEffect(effects, { executionId, now }, { kind: 'child.cancel', childId: c.executionId, step: c.step }),
      ),
    ]);
  }
}

/** What a failed record can do without, tried in turn when it is too large to store: the snapshot, then the context. */
const SLIMMER: ReadonlyArray<(r: ExecutionRecord) => ExecutionRecord> = [
  (r) => r,
  ({ snapshot: _snapshot, ...r }) => r,
  ({ snapshot: _snapshot, ...r }) => ({ ...r, context: {} }),
];
