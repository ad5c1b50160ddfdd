import { ExecutionErrorCode, executionIdFor, failpoint, SquadflowError, type Logger, type TriggerMessage } from '@squadflow/shared';
import type { CompiledWorkflow } from '../compile/index.ts';
import type { EventApplier } from './event-applier.ts';
import type { Snapshot } from './execution-cache.ts';
import { KvConflictError, PayloadTooLargeError, type Clock, type KvMutation } from '@squadflow/transport';
import { failedRecord, recordFor } from './record-builder.ts';
import type { EngineStores } from '../store/open-stores.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { ExecutionError } from './quarantine.ts';
import { storableTraceparent } from '../tracing/execution-trace.ts';
import type { Watcher } from '../compile/index.ts';
import type { EndOfExecution } from './link-effects.ts';

export interface TriggerDeps {
  applier: EventApplier;
  stores: EngineStores;
  clock: Clock;
  logger: Logger;
  /** Tells a parent's step that its child could not start (link-effects.ts). */
  notifyParent(executionId: string, watcher: Watcher, end: EndOfExecution): Promise<void>;
  /** Fails an execution without a transition (quarantine.ts): its first record would be too large to store. */
  quarantine(executionId: string, error: ExecutionError, origin: () => ExecutionRecord): Promise<boolean>;
}

/**
 * Starts the execution a trigger asks for, once: its id comes from the
 * trigger (or its idempotency key), so a repeated or redelivered trigger
 * finds the execution and only finishes its last effects. An unknown
 * workflow or an invalid context is recorded as a failed execution (its
 * sender can see why); a workflow at its concurrency limit queues it as
 * `pending`. Runs in the execution's turn, like any event of it.
 */
export function startExecution(
  deps: TriggerDeps,
  t: TriggerMessage,
  executionId = executionIdOf(t),
  /** The trigger message's `traceparent` header (a queued execution's record may hold one already). */
  traceparent?: string,
): Promise<void> {
  return deps.applier.exclusive(executionId, async () => {
    let started: { snapshot: Snapshot; workflow: CompiledWorkflow } | undefined;
    let exists = false;
    let mutation: KvMutation<ExecutionRecord>;
    try {
      mutation = await deps.stores.executions.mutate(executionId, async (existing, stored) => {
        started = undefined;
        // A redelivered or repeated trigger: the execution exists; finish its last effects if needed (below).
        exists = existing !== null && existing.status !== 'pending';
        if (exists) return undefined;
        // Created without starting (`start: false`): a repeat of that trigger changes nothing; `start` starts it.
        if (t.start === false) {
          if (!existing) await writeHeld(deps, executionId, t, deps.clock.now(), storableTraceparent(traceparent));
          return undefined;
        }
        // A keyed trigger for an execution that ended and was archived (docs/retention.md): it does not start again.
        if (!existing && t.idempotencyKey !== undefined && (await deps.stores.archive.get(executionId))) return undefined;
        const at = deps.clock.now();
        let workflow: CompiledWorkflow;
        try {
          workflow = await deps.stores.registry.get(t.workflow, t.version ?? existing?.version);
        } catch (err) {
          if (!(err instanceof SquadflowError)) throw err;
          await writeFailure(deps, executionId, t, at, err, stored?.revision);
          return undefined;
        }
        const issues = workflow.checkContext(t.context);
        if (issues.length) {
          const err = new SquadflowError('INVALID_CONTEXT', `invalid context for workflow "${t.workflow}"`, issues);
          await writeFailure(deps, executionId, t, at, err, stored?.revision);
          return undefined;
        }
        if (workflow.plan.concurrencyLimit) {
          const priority = t.priority ?? existing?.priority ?? 5;
          const place = await deps.stores.slots.acquire(t.workflow, workflow.plan.concurrencyLimit, { executionId, priority, at });
          if (place === 'queued') {
            // Waits as `pending` until a running execution of this workflow ends and hands over its place.
            if (!existing) await writeQueued(deps, executionId, t, workflow.version, priority, at, storableTraceparent(traceparent));
            return undefined;
          }
        }
        const priority = t.priority ?? existing?.priority;
        const parent = t.parent ?? existing?.parent;
        const input = {
          executionId,
          workflow: t.workflow,
          version: workflow.version,
          input: t.context,
          at,
          ...(priority === undefined ? {} : { priority }),
          ...(parent?.attempt === undefined ? {} : { parent: { ...parent, attempt: parent.attempt } }),
          ...(existing?.watchers?.length ? { watchers: existing.watchers } : {}),
        };
        failpoint('orchestrator.apply', `${executionId} trigger`);
        const snapshot = await deps.applier.settle(workflow, workflow.runner.initial(input));
        failpoint('orchestrator.after-transition', `${executionId} trigger`);
        started = { snapshot, workflow };
        const trace = storableTraceparent(traceparent) ?? existing?.trace;
        return recordFor(workflow, snapshot, {
          createdAt: existing?.createdAt ?? at,
          context: t.context,
          ...(t.idempotencyKey ? { idempotencyKey: t.idempotencyKey } : {}),
          ...(trace ? { trace } : {}),
        });
      });
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) throw err;
      // The context is in the record twice (as given, and as the statechart's input): it may fit a message, not a record.
      const message = `the execution record would be ${err.bytes} bytes, over the store's ${err.limit}-byte limit`;
      const error = { code: ExecutionErrorCode.RECORD_TOO_LARGE, message };
      await deps.quarantine(executionId, error, () => failedRecord(executionId, t, deps.clock.now(), error));
      return;
    }
    const { written, record } = mutation;
    if (exists) {
      const live = await deps.applier.load(executionId);
      if (live) await deps.applier.flush(live);
    } else if (written && record && started) {
      failpoint('orchestrator.after-persist', `${executionId} trigger`);
      await deps.applier.commit({ record: record.value, revision: record.revision, ...started, effectsDone: false });
      failpoint('orchestrator.after-publish', `${executionId} trigger`);
    }
  });
}

/** The execution a trigger names: its id, else the one its idempotency key derives (else a fresh one). */
export function executionIdOf(t: TriggerMessage): string {
  return t.executionId ?? executionIdFor(t.workflow, t.idempotencyKey);
}

async function writeQueued(
  deps: TriggerDeps,
  executionId: string,
  t: TriggerMessage,
  version: number,
  priority: number,
  at: number,
  trace: string | undefined,
): Promise<void> {
  try {
    await deps.stores.executions.create({
      v: 1,
      executionId,
      workflow: t.workflow,
      version,
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      context: t.context,
      priority,
      ...(t.idempotencyKey ? { idempotencyKey: t.idempotencyKey } : {}),
      ...(trace ? { trace } : {}),
    });
  } catch (err) {
    if (!(err instanceof KvConflictError)) throw err;
  }
}

/** An execution created with `start: false`: pending, held until started (nothing dispatched, no timer armed). */
async function writeHeld(deps: TriggerDeps, executionId: string, t: TriggerMessage, at: number, trace: string | undefined): Promise<void> {
  try {
    await deps.stores.executions.create({
      v: 1,
      executionId,
      workflow: t.workflow,
      ...(t.version ? { version: t.version } : {}),
      status: 'pending',
      held: true,
      createdAt: at,
      updatedAt: at,
      context: t.context,
      ...(t.priority === undefined ? {} : { priority: t.priority }),
      ...(t.idempotencyKey ? { idempotencyKey: t.idempotencyKey } : {}),
      ...(t.parent ? { parent: t.parent } : {}),
      ...(trace ? { trace } : {}),
    });
  } catch (err) {
    if (!(err instanceof KvConflictError)) throw err;
  }
}

async function writeFailure(
  deps: TriggerDeps,
  executionId: string,
  t: TriggerMessage,
  at: number,
  err: SquadflowError,
  revision?: number,
): Promise<void> {
  deps.logger.warn({ executionId, workflow: t.workflow, err: err.toJSON() }, 'trigger rejected');
  const record = failedRecord(executionId, t, at, err.toJSON());
  try {
    if (revision === undefined) await deps.stores.executions.create(record);
    else await deps.stores.executions.update(record, revision);
  } catch (e) {
    if (!(e instanceof KvConflictError)) throw e;
  }
  // A child that cannot start (unknown workflow, invalid context) fails its parent's step instead of leaving it waiting.
  if (t.parent) await deps.notifyParent(executionId, { ...t.parent, mode: 'child' }, { status: 'failed', error: record.error });
}
