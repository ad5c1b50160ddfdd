import { isTerminal, type ExecutionStatus } from '@squadflow/shared';
import { pageExecutions } from '../client/execution-listing.ts';
import type { BreakerView } from '../breakers/circuit-breakers.ts';
import { toView, type ExecutionView } from '../client/execution-view.ts';
import type { EngineStores } from '../store/open-stores.ts';
import type { IndexEntry } from '../store/execution-index.ts';

/**
 * What alert rules read. Deliberately cheap: keys of the listing index for
 * executions in flight (a filtered key listing per status, no record read),
 * the newest ended executions of a window (a creation-log walk, at most
 * `ENDED_SAMPLE` records), the breakers bucket, and single records only for
 * the few candidates a key already marks as old enough (bounded per rule
 * and tick). Never a scan of execution records.
 */
export interface AlertSources {
  /**
   * Executions of these statuses, of one workflow or all, newest first. Not
   * ended: the index's keys (what is in flight). Ended: the newest
   * `ENDED_SAMPLE` created at or after `since`, walked from the creation log
   * (their records are read: the index keeps no key per ended execution).
   */
  entries(filter: { statuses: ReadonlySet<ExecutionStatus>; workflow?: string; since?: number }): Promise<IndexEntry[]>;
  /** One execution as the API shows it; null when it is gone. */
  execution(executionId: string): Promise<ExecutionView | null>;
  /** Every circuit breaker's state. */
  breakers(): Promise<BreakerView[]>;
}

/** Ended executions a rule sees per tick at most (the newest in its window): a bound on record reads. */
export const ENDED_SAMPLE = 1_000;

/** The sources over the engine's stores. */
export function storeSources(stores: Pick<EngineStores, 'index' | 'executions' | 'breakers'>): AlertSources {
  return {
    entries: async ({ statuses, workflow, since }) => {
      const ended = [...statuses].filter(isTerminal);
      const active = new Set([...statuses].filter((s) => !isTerminal(s)));
      const found = active.size ? await stores.index.entries({ statuses: active, ...(workflow ? { workflow } : {}) }) : [];
      if (ended.length) {
        const page = await pageExecutions(stores, {
          status: ended,
          ...(workflow ? { workflow } : {}),
          ...(since === undefined ? {} : { since }),
          limit: ENDED_SAMPLE,
        });
        for (const v of page.executions)
          found.push({ key: v.executionId, status: v.status, workflow: v.workflow, createdAt: v.createdAt, executionId: v.executionId });
      }
      return found.sort((a, b) => b.createdAt - a.createdAt);
    },
    execution: async (executionId) => {
      const stored = await stores.executions.read(executionId);
      return stored ? toView(stored.record) : null;
    },
    breakers: () => stores.breakers.list(),
  };
}
