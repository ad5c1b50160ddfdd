import type { CompiledWorkflow } from '../compile/index.ts';
import type { WorkflowSnapshot } from '../compile/machine-runner.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';

/** A workflow actor's snapshot (pure data plus XState's helpers). */
export type Snapshot = WorkflowSnapshot;

/** An execution in memory: its record, the revision it was read at, and its live snapshot. */
export interface LiveExecution {
  record: ExecutionRecord;
  revision: number;
  snapshot: Snapshot;
  workflow: CompiledWorkflow;
  /** Whether this process has performed the outbox of `snapshot`. */
  effectsDone: boolean;
  /** Restored from KV: its outbox may have been performed already (by this process before a crash, or another). */
  restored?: boolean;
  /** Failed by the engine without a transition (see quarantine.ts): its statechart never runs again. */
  quarantined?: boolean;
}

/**
 * Actors kept in memory, least recently used evicted first. The cache is an
 * optimisation only: KV is the truth, and every write is a compare-and-set,
 * so a stale entry costs one retry, never a wrong result.
 */
export class ExecutionCache {
  private readonly entries = new Map<string, LiveExecution>();

  constructor(private readonly capacity: number) {}

  get(id: string): LiveExecution | undefined {
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
    }
    return hit;
  }

  set(live: LiveExecution): void {
    if (this.capacity === 0) return;
    const id = live.record.executionId;
    this.entries.delete(id);
    this.entries.set(id, live);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
