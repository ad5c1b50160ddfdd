import type { Watcher } from '../compile/index.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { EffectDeps } from './effects.ts';
import type { MachineControl } from './inbound-events.ts';
import type { ApplyResult } from './event-applier.ts';
import { notifyWatcher, type EndOfExecution } from './link-effects.ts';

/**
 * Control requests that the statechart cannot answer because the execution
 * has no live statechart: it ended, it is pending (created with `start: false`,
 * or queued by a concurrency limit), or it does not exist. Applied after the
 * event was offered to the execution (`result`), so a live execution always
 * answers through its machine.
 *
 * - `watch`: an ended execution tells the watcher at once, from its record; a
 *   pending one keeps the watcher in its record (handed to the machine when it
 *   starts); an unknown one answers `missing`.
 * - `compensate`: the child ended otherwise than `completed` (or is gone):
 *   the parent's compensation attempt is told so.
 * - `cancel`: a held execution (created with `start: false`) is cancelled without ever starting.
 *
 * Every write is a compare-and-set on the record read; a record that started
 * meanwhile gets the request again through its machine.
 */
export class LinkRequests {
  constructor(
    private readonly deps: {
      effects: EffectDeps;
      apply(executionId: string, control: MachineControl): Promise<ApplyResult>;
    },
  ) {}

  async afterControl(c: MachineControl, result: ApplyResult): Promise<void> {
    if (result !== 'missing' && result !== 'ended') return;
    if (c.action === 'cancel') return this.cancelPending(c.executionId, c.reason);
    if (c.action !== 'watch' && c.action !== 'compensate') return;
    const watcher: Watcher = { ...c.watcher, mode: c.action === 'watch' ? 'wait' : 'compensation' };
    const stored = await this.deps.effects.executions.read(c.executionId);
    if (!stored)
      return this.tell(c.executionId, watcher, { status: 'missing', error: { code: 'EXECUTION_NOT_FOUND', message: 'no such execution' } });
    if (stored.record.snapshot !== undefined || stored.record.status !== 'pending' || c.action === 'compensate')
      return this.tell(c.executionId, watcher, endOf(stored.record));
    const { written } = await this.deps.effects.executions.mutate(c.executionId, async (current) => {
      if (!current || current.status !== 'pending' || current.snapshot !== undefined) return undefined;
      if (current.watchers?.some((w) => w.executionId === watcher.executionId && w.step === watcher.step && w.attempt === watcher.attempt))
        return undefined;
      return { ...current, watchers: [...(current.watchers ?? []), watcher] };
    });
    // Started (or ended) meanwhile: its machine takes the request now.
    if (!written) await this.afterControl(c, await this.deps.apply(c.executionId, c));
  }

  private async cancelPending(executionId: string, reason: string | undefined): Promise<void> {
    let cancelled: ExecutionRecord | undefined;
    await this.deps.effects.executions.mutate(executionId, async (current) => {
      cancelled = undefined;
      // Only a held execution: one queued by a concurrency limit is in the slot queue, and starts when its turn comes.
      if (!current?.held || current.status !== 'pending' || current.snapshot !== undefined) return undefined;
      const { held: _held, ...rest } = current;
      cancelled = {
        ...rest,
        status: 'cancelled',
        updatedAt: this.deps.effects.transport.clock.now(),
        error: { code: 'CANCELLED', message: reason ?? 'cancelled before it started' },
      };
      return cancelled;
    });
    if (!cancelled) return;
    const end = endOf(cancelled);
    const watchers: Watcher[] = [
      ...(cancelled.parent?.attempt === undefined
        ? []
        : [{ ...cancelled.parent, attempt: cancelled.parent.attempt, mode: 'child' as const }]),
      ...(cancelled.watchers ?? []),
    ];
    await Promise.all(watchers.map((w) => this.tell(executionId, w, end)));
  }

  private tell(executionId: string, watcher: Watcher, end: EndOfExecution): Promise<void> {
    return notifyWatcher(this.deps.effects, executionId, watcher, end);
  }
}

function endOf(record: ExecutionRecord): EndOfExecution {
  return {
    status: record.status,
    ...(record.output === undefined ? {} : { output: record.output }),
    ...(record.error ? { error: record.error } : {}),
  };
}
