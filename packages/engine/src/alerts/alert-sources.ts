import type { ExecutionStatus } from '@squadflow/shared';
import type { BreakerView } from '../breakers/circuit-breakers.ts';
import { toView, type ExecutionView } from '../client/execution-view.ts';
import type { EngineStores } from '../store/open-stores.ts';
import type { IndexEntry } from '../store/execution-index.ts';

/**
 * What alert rules read. Deliberately cheap: keys of the listing index (a
 * filtered key listing per status, no record read), the breakers bucket,
 * and single records only for the few candidates a key already marks as old
 * enough (bounded per rule and tick). Never a scan of execution records.
 */
export interface AlertSources {
  /** Index entries (keys only) of these statuses, of one workflow or all, newest first. */
  entries(filter: { statuses: ReadonlySet<ExecutionStatus>; workflow?: string }): Promise<IndexEntry[]>;
  /** One execution as the API shows it; null when it is gone. */
  execution(executionId: string): Promise<ExecutionView | null>;
  /** Every circuit breaker's state. */
  breakers(): Promise<BreakerView[]>;
}

/** The sources over the engine's stores. */
export function storeSources(stores: Pick<EngineStores, 'index' | 'executions' | 'breakers'>): AlertSources {
  return {
    entries: (filter) => stores.index.entries(filter),
    execution: async (executionId) => {
      const stored = await stores.executions.read(executionId);
      return stored ? toView(stored.record) : null;
    },
    breakers: () => stores.breakers.list(),
  };
}
