/**
 * Gauges of the executions stored, set at each scrape from
 * `EngineClient.executionCounts()`: the index's keys of the executions in
 * flight and its ended counts (one key per workflow and end status). A
 * scrape reads neither a record nor a key per ended execution, so it costs
 * the same with 10,000 stored as with 100 (bench: `pnpm bench --scenario
 * readscale`). They are read from KV, not counted by this gateway: a
 * restart changes nothing in them.
 */
import { EXECUTION_STATUSES, isTerminal } from '@squadflow/shared';
import type { ExecutionCounts } from '@squadflow/engine';
import { Gauge, type Registry } from 'prom-client';

export class StoredExecutionGauges {
  private readonly byStatus: Gauge<'status'>;
  private readonly byWorkflow: Gauge<'workflow' | 'status'>;
  private readonly active: Gauge;
  private readonly successRatio: Gauge<'workflow'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.byStatus = new Gauge({
      name: 'squadflow_executions',
      help: 'Stored executions by status (in flight: from the index, exact; ended: the index counts, kept until retention removes them)',
      labelNames: ['status'],
      registers,
    });
    this.byWorkflow = new Gauge({
      name: 'squadflow_workflow_executions',
      help: 'Stored executions by workflow and status: running is in flight, waiting waits on a signal or human task (exact); ended ones until retention removes them',
      labelNames: ['workflow', 'status'],
      registers,
    });
    this.active = new Gauge({ name: 'squadflow_executions_active', help: 'Executions that have not ended', registers });
    this.successRatio = new Gauge({
      name: 'squadflow_execution_success_ratio',
      help: 'completed / ended among the stored executions of a workflow (absent before one ended)',
      labelNames: ['workflow'],
      registers,
    });
  }

  /** Replaces every gauge with the counts read now. */
  update(counts: ExecutionCounts): void {
    const totals = new Map<string, number>(EXECUTION_STATUSES.map((s) => [s, 0]));
    const ended = new Map<string, { completed: number; all: number }>();
    this.byWorkflow.reset();
    this.successRatio.reset();
    for (const c of [...counts.active, ...counts.ended]) {
      totals.set(c.status, (totals.get(c.status) ?? 0) + c.count);
      this.byWorkflow.set({ workflow: c.workflow, status: c.status }, c.count);
      if (!isTerminal(c.status)) continue;
      const e = ended.get(c.workflow) ?? { completed: 0, all: 0 };
      e.all += c.count;
      if (c.status === 'completed') e.completed += c.count;
      ended.set(c.workflow, e);
    }
    for (const [status, count] of totals) this.byStatus.set({ status }, count);
    this.active.set(counts.active.reduce((sum, c) => sum + c.count, 0));
    for (const [workflow, e] of ended) if (e.all > 0) this.successRatio.set({ workflow }, e.completed / e.all);
  }
}
