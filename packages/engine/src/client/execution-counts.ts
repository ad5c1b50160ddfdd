import type { ExecutionStatus, TerminalStatus } from '@squadflow/shared';

/** Executions by status and workflow (`EngineClient.executionCounts`). */
export interface ExecutionCounts {
  /** In flight (not ended), from the index's active keys: exact, each execution once. */
  active: Array<{ status: ExecutionStatus; workflow: string; count: number }>;
  /** Ended and still stored, from the index's ended counts (docs/metrics.md says when one can be short). */
  ended: Array<{ status: TerminalStatus; workflow: string; count: number }>;
}
