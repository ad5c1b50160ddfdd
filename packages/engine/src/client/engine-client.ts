import { computeInsights, type WorkflowInsights } from '../insights/workflow-insights.ts';
import {
  executionIdFor,
  names as makeNames,
  SquadflowError,
  TERMINAL_STATUSES,
  toFieldIssues,
  type ExecutionStatus,
  type Logger,
  type Names,
  type WorkflowDefinition,
} from '@squadflow/shared';
import { archivedView, toView, type ExecutionView } from './execution-view.ts';
import { executionDetail, type ExecutionDetail } from './execution-detail.ts';
import { searchPredicate } from './execution-search.ts';
import { ArchiveExportFilterSchema, type ArchiveExportFilter } from './archive-export-filter.ts';
import { ExecutionControls } from './execution-controls.ts';
import { retryFromStep, type RetryFromStepAccepted } from './retry-from-step.ts';
import { waitForStatus } from './wait-for-status.ts';
import { computeMetrics, type EngineMetrics } from './metrics.ts';
import { isTransportUnavailable, type Transport } from '@squadflow/transport';
import { assertFits, assertJsonDepth, contextLimitFor } from './payload-limits.ts';
import { startHeldExecution } from './execution-start.ts';
import { publishTrigger, type TriggerPublishDeps } from './trigger-publisher.ts';
import { TriggerNotConfirmedError } from './trigger-not-confirmed.ts';
import { openStores, type EngineStores } from '../store/open-stores.ts';
import { pageExecutions, type ExecutionPage, type ListExecutionsFilter } from './execution-listing.ts';
import type { ExecutionCounts } from './execution-counts.ts';
import type { WorkflowSummary, WorkflowVersion } from '../store/registry.ts';
import {
  decideHumanTask,
  listHumanTasks,
  type HumanDecision,
  type HumanTask,
  type HumanTaskFilter,
  type HumanTaskSource,
} from './human-tasks.ts';
import type { CompiledWorkflow } from '../compile/index.ts';
import { ensureStreams } from '@squadflow/transport';
import { scheduleApiFor, type ScheduleApi } from '../schedules/api.ts';
import type { ScheduleSpec } from '../schedules/spec.ts';
import type { ScheduleView } from '../schedules/store.ts';

export interface TriggerOptions {
  /** The same key twice returns the same execution (kept as long as the execution is stored). */
  idempotencyKey?: string;
  /**
   * The key was just generated for this call (the gateway makes one when the
   * caller sent none): no earlier execution can hold it, so the look-up for
   * one is skipped.
   */
  generatedKey?: boolean;
  /** Pin a definition version (default: the latest). */
  version?: number;
  /** 0–9, higher first when the workflow's concurrency limit queues executions (default 5). */
  priority?: number;
  /** `false`: create the execution `pending` without starting it (nothing dispatched, no timer armed) until `start`. */
  start?: boolean;
}

export interface EngineClientOptions {
  transport: Transport;
  prefix?: string;
  /**
   * Largest trigger or signal message, in bytes (the context or data as JSON
   * plus a small envelope). Default: a quarter of the transport's
   * `maxPayload` (256 KiB on a default NATS server); at most half of it.
   */
  maxContextBytes?: number;
  /** Receives warnings (e.g. a trigger stored whose `pending` record could not be written). */
  logger?: Logger;
}

/** Room `checkPayload` keeps for a message's own fields: ids, a 512-byte key escaped as JSON, timestamps. */
const MESSAGE_ENVELOPE_BYTES = 4096;

/** Ended executions whose step durations the metrics' percentiles are taken over (the newest). */
const METRICS_SAMPLE = 200;

export type { ArchiveExportFilter } from './archive-export-filter.ts';
export type { ExecutionPage, ListExecutionsFilter } from './execution-listing.ts';

/**
 * The engine API used by the gateway, the CLI and tests. It talks to
 * orchestrators only through NATS subjects and KV (or their in-memory
 * adapters): it never calls into a running orchestrator, so it works from
 * any process.
 */
export class EngineClient {
  readonly names: Names;
  private readonly controls: ExecutionControls;

  private constructor(
    private readonly transport: Transport,
    private readonly stores: EngineStores,
    names: Names,
    private readonly contextLimit: () => number,
    private readonly logger?: Logger,
  ) {
    this.names = names;
    this.controls = new ExecutionControls({ transport, names, contextLimit, getExecution: (id) => this.getExecution(id) });
  }

  static async connect(options: EngineClientOptions): Promise<EngineClient> {
    const n = makeNames(options.prefix);
    const limit = contextLimitFor(options.transport, options.maxContextBytes);
    await ensureStreams(options.transport, n);
    return new EngineClient(options.transport, await openStores(options.transport, n, options.logger), n, limit, options.logger);
  }

  private triggerDeps(): TriggerPublishDeps {
    return {
      transport: this.transport,
      stores: this.stores,
      names: this.names,
      contextLimit: this.contextLimit(),
      ...(this.logger ? { logger: this.logger } : {}),
    };
  }

  /** Largest trigger or signal message accepted, in bytes (`maxContextBytes`). */
  get maxContextBytes(): number {
    return this.contextLimit();
  }

  /**
   * Throws what `trigger` or `signal` would throw for this payload's depth
   * or size (`INVALID_ARGUMENT` / `PAYLOAD_TOO_LARGE` naming `field`), with
   * room kept for the message's envelope (ids, key). For callers that store
   * a payload before handing it over (the gateway's webhook ledger): it
   * encodes the value once more to measure it.
   */
  checkPayload(value: unknown, field: string): void {
    assertJsonDepth(value, field, 'INVALID_ARGUMENT');
    const room = this.contextLimit() - MESSAGE_ENVELOPE_BYTES;
    assertFits(Buffer.byteLength(JSON.stringify(value) ?? ''), room, field, field);
  }

  /** Validates, compiles and stores a definition. Unchanged definitions keep their version. */
  registerWorkflow(definition: unknown): Promise<{ name: string; version: number; created: boolean }> {
    return this.stores.registry.register(definition);
  }

  listWorkflows(): Promise<WorkflowSummary[]> {
    return this.stores.registry.list();
  }

  getWorkflow(name: string, version?: number): Promise<WorkflowDefinition> {
    return this.stores.registry.definition(name, version);
  }

  /** Every registered version of a workflow, oldest first, with when it was registered. Throws `WORKFLOW_NOT_FOUND`. */
  listWorkflowVersions(name: string): Promise<WorkflowVersion[]> {
    return this.stores.registry.versions(name);
  }

  /**
   * The compiled workflow of a version (the latest when omitted), e.g. for its
   * statechart. Compiled once per process and shared with triggers. Throws `WORKFLOW_NOT_FOUND`.
   */
  getCompiledWorkflow(name: string, version?: number): Promise<CompiledWorkflow> {
    return this.stores.registry.get(name, version);
  }

  /**
   * Starts an execution and returns its id once the trigger is durably
   * accepted. Throws `WORKFLOW_NOT_FOUND`; `INVALID_CONTEXT` naming each bad
   * field (or a context nested deeper than `MAX_JSON_DEPTH`);
   * `PAYLOAD_TOO_LARGE` when the trigger message is over `maxContextBytes`:
   * nothing starts then. When NATS does not confirm the trigger it throws
   * `TriggerNotConfirmedError` (code `UNAVAILABLE`): retry with the same
   * idempotency key. When the inbound stream is at its size limit it throws
   * `StreamFullError` (nothing was stored): retry later.
   *
   * The trigger message is published first: it is the durable intent, and
   * the orchestrator creates the execution from it. The `pending` record
   * that lets a caller read the execution at once is written only after the
   * stream confirmed the trigger, so a trigger that was refused or failed
   * leaves nothing behind.
   */
  async trigger(workflow: string, context: unknown, options: TriggerOptions = {}): Promise<string> {
    const key = options.idempotencyKey;
    const executionId = executionIdFor(workflow, key);
    try {
      return await publishTrigger(this.triggerDeps(), workflow, context, executionId, options);
    } catch (err) {
      // A `StreamFullError` is not "unavailable": its outcome is known (not stored), so it is not wrapped.
      if (isTransportUnavailable(err)) throw new TriggerNotConfirmedError(executionId, key, err);
      throw err;
    }
  }

  /**
   * Starts an execution created with `start: false`. Starting one that
   * already started does nothing; one cancelled before it started is
   * `EXECUTION_ENDED`, an unknown id `EXECUTION_NOT_FOUND`.
   */
  start(executionId: string): Promise<void> {
    return startHeldExecution({ transport: this.transport, names: this.names, stores: this.stores }, executionId);
  }

  /**
   * One execution: from the hot store, else from the archive (an ended
   * execution past its retention, marked `archived`), else null.
   */
  async getExecution(executionId: string): Promise<ExecutionView | null> {
    const stored = await this.stores.executions.read(executionId);
    if (stored) return toView(stored.record);
    const archived = await this.stores.archive.get(executionId);
    return archived ? archivedView(archived) : null;
  }

  /**
   * One execution with what is armed now (each step's timers and due times,
   * open waits with deadlines, how to resolve an escalation): the execution
   * page's view. A few KV reads more than `getExecution`; archived
   * executions have nothing armed.
   */
  async describeExecution(executionId: string): Promise<ExecutionDetail | null> {
    const stored = await this.stores.executions.read(executionId);
    if (stored) return executionDetail(stored.record, this.stores.timers);
    const archived = await this.stores.archive.get(executionId);
    return archived ? { ...archivedView(archived), waits: [] } : null;
  }

  /**
   * The archived executions (ended, past their retention), oldest archived
   * first, as views marked `archived`: for export as JSON lines
   * (`GET /v1/archive/executions`). `since`/`until` bound the creation time
   * like `pageExecutions`; the whole archive is read in order (one request
   * per message), so this is a bulk export, not a query. Throws
   * `INVALID_ARGUMENT` naming a bad field.
   */
  async *exportArchive(filter: ArchiveExportFilter = {}): AsyncIterable<ExecutionView> {
    const checked = ArchiveExportFilterSchema.safeParse(filter);
    if (!checked.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid archive filter', toFieldIssues(checked.error.issues));
    const { since, until, workflow } = checked.data;
    for await (const archived of this.stores.archive.all()) {
      const r = archived.record;
      if (workflow !== undefined && r.workflow !== workflow) continue;
      if (since !== undefined && r.createdAt < since) continue;
      if (until !== undefined && r.createdAt >= until) continue;
      yield archivedView(archived);
    }
  }

  async listExecutions(filter: ListExecutionsFilter = {}): Promise<ExecutionView[]> {
    return (await this.pageExecutions(filter)).executions;
  }

  /**
   * One page of executions, newest first: in the order they were created
   * (as the creation log took them) or, when only statuses that have not
   * ended are asked for, by creation time then id. The cursor names where
   * the page ended, so pages stay stable while new executions arrive and
   * join into one list in which each execution comes once. Reads the page's
   * records and the index entries that lead to them, never what is stored
   * beyond (docs/metrics.md; an entry whose record disagrees is skipped).
   */
  async pageExecutions(filter: ListExecutionsFilter = {}): Promise<ExecutionPage> {
    if (filter.q === undefined || filter.q === '') return pageExecutions(this.stores, filter);
    const workflows = filter.workflow === undefined ? (await this.listWorkflows()).map((w) => w.name) : [filter.workflow];
    return pageExecutions(this.stores, filter, await searchPredicate(filter.q, workflows, this.stores.waits));
  }

  /** Whether any execution waits on a correlation key right now (e.g. a WhatsApp conversation). */
  async isWaiting(key: string): Promise<boolean> {
    return (await this.stores.waits.lookup(key)).some((r) => r.purpose === 'wait');
  }

  /**
   * The human steps waiting for a decision (an inbox), newest first,
   * filtered by assignee and workflow; see `listHumanTasks` for the cost.
   */
  listHumanTasks(filter: HumanTaskFilter = {}): Promise<HumanTask[]> {
    return listHumanTasks(this.humanTaskSource(), filter);
  }

  /** Delivers a decision to an open human task (see `decideHumanTask` in client/human-tasks.ts for what it checks and throws). */
  decideHumanTask(executionId: string, step: string, decision: HumanDecision, by: string): Promise<HumanTask> {
    return decideHumanTask(this.humanTaskSource(), executionId, step, decision, by);
  }

  private humanTaskSource(): HumanTaskSource {
    return {
      listWorkflowNames: async () => (await this.listWorkflows()).map((w) => w.name),
      getWorkflow: (name) => this.getWorkflow(name),
      getCompiledWorkflow: (name, version) => this.getCompiledWorkflow(name, version),
      pageExecutions: (filter) => this.pageExecutions(filter),
      getExecution: (id) => this.getExecution(id),
      signal: (key, data, options) => this.signal(key, data, options),
    };
  }

  /** Cancels a running execution. Throws `EXECUTION_NOT_FOUND` or `EXECUTION_ENDED`. */
  cancel(executionId: string, reason?: string): Promise<void> {
    return this.controls.cancel(executionId, reason);
  }

  /** Pauses a running execution: no new step starts and its timers wait; steps in flight finish. */
  pause(executionId: string, reason?: string): Promise<void> {
    return this.controls.pause(executionId, reason);
  }

  /** Resumes a paused execution; timers that fell due while it was paused fire now. */
  resume(executionId: string): Promise<void> {
    return this.controls.resume(executionId);
  }

  /** Resolves an escalated execution: retry the step, skip it, or abort (ends failed). */
  resolveEscalation(executionId: string, action: 'retry' | 'skip' | 'abort', step?: string): Promise<void> {
    return this.controls.resolveEscalation(executionId, action, step);
  }

  /**
   * Retry from a step: runs a failed or escalated execution again from
   * `fromStep`, a completed step. The steps before it keep their outputs;
   * it, every step that did not settle and everything after them run again
   * with new attempt numbers, the earlier attempts kept in the history and
   * the rewind recorded (`execution.rewound`). Throws `INVALID_ARGUMENT`
   * (field `fromStep`) for an unknown or not completed step, `CONFLICT` when
   * the execution is not failed or escalated. See client/retry-from-step.ts.
   */
  retryFromStep(executionId: string, fromStep: string): Promise<RetryFromStepAccepted> {
    return retryFromStep(
      {
        transport: this.transport,
        names: this.names,
        executions: this.stores.executions,
        getCompiledWorkflow: (n, v) => this.getCompiledWorkflow(n, v),
      },
      executionId,
      fromStep,
    );
  }

  /**
   * Sends a signal to whatever waits on `key`; returns the signal's id.
   * Throws `INVALID_ARGUMENT` for a key over 512 bytes (UTF-8) or data nested
   * deeper than `MAX_JSON_DEPTH`, `PAYLOAD_TOO_LARGE` when the signal message
   * is over `maxContextBytes`.
   */
  signal(key: string, data?: unknown, options: { signalId?: string } = {}): Promise<string> {
    return this.controls.signal(key, data, options);
  }

  /**
   * Executions by status and workflow: the ones in flight from the index's
   * active keys, the ended ones stored from its ended counts. Costs the
   * executions in flight and one key per workflow and end status, never
   * what is stored (what `/metrics` reads at each scrape).
   */
  async executionCounts(): Promise<ExecutionCounts> {
    const [active, ended] = await Promise.all([this.stores.index.activeCounts(), this.stores.index.ended.all()]);
    return { active, ended };
  }

  /**
   * Counts by status from the listing index (keys only); step durations
   * from the newest `METRICS_SAMPLE` ended executions. No scan of records.
   */
  async metrics(): Promise<EngineMetrics> {
    const [byStatus, sample, breakers] = await Promise.all([
      this.stores.index.countByStatus(),
      this.pageExecutions({ status: [...TERMINAL_STATUSES], limit: METRICS_SAMPLE }),
      this.stores.breakers.list(),
    ]);
    return computeMetrics(byStatus, sample.executions, breakers);
  }

  /**
   * Insights for a workflow (durations, outcomes, throughput, critical path,
   * retries, advice) from its newest `limit` executions (default 500, at most
   * 1,000), read from the listing index. Throws `WORKFLOW_NOT_FOUND`.
   */
  async insights(workflow: string, limit = 500): Promise<WorkflowInsights> {
    const definition = await this.getWorkflow(workflow);
    const { executions } = await this.pageExecutions({ workflow, limit: Math.min(Math.max(limit, 1), 1_000) });
    return computeInsights(definition, executions);
  }

  /**
   * Resolves when the execution reaches one of `statuses` (default: any end
   * status), polling storage with backoff. Throws `TIMEOUT` after `timeoutMs`.
   */
  waitFor(executionId: string, statuses: readonly ExecutionStatus[] = [...TERMINAL_STATUSES], timeoutMs = 30_000): Promise<ExecutionView> {
    return waitForStatus((id) => this.getExecution(id), executionId, statuses, timeoutMs);
  }

  /**
   * Stores a durable schedule that starts `spec.workflow` once per slot
   * (cron with a time zone, `every`, or a one-shot `at`; docs/schedules.md).
   * Throws `INVALID_ARGUMENT` naming the field, `WORKFLOW_NOT_FOUND`,
   * `INVALID_CONTEXT`, or `CONFLICT` when the id is taken.
   */
  async createSchedule(spec: ScheduleSpec): Promise<ScheduleView> {
    return (await this.scheduleApi()).create(spec);
  }

  /** Every schedule, by id. */
  async listSchedules(): Promise<ScheduleView[]> {
    return (await this.scheduleApi()).list();
  }

  async getSchedule(id: string): Promise<ScheduleView | null> {
    return (await this.scheduleApi()).get(id);
  }

  /** Stops a schedule firing (a run in progress goes on). Throws `INVALID_ARGUMENT` for an unknown id. */
  async pauseSchedule(id: string): Promise<ScheduleView> {
    return (await this.scheduleApi()).pause(id);
  }

  /** Fires again from the next slot; slots that fell due while paused are skipped. */
  async resumeSchedule(id: string): Promise<ScheduleView> {
    return (await this.scheduleApi()).resume(id);
  }

  /** Deletes a schedule (runs it started go on). Throws `INVALID_ARGUMENT` for an unknown id. */
  async deleteSchedule(id: string): Promise<void> {
    return (await this.scheduleApi()).delete(id);
  }

  private scheduleApi(): Promise<ScheduleApi> {
    return scheduleApiFor(this, this.transport, this.names, this.stores.registry);
  }
}
