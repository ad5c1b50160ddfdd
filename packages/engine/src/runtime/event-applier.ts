import { ExecutionErrorCode, failpoint, isTerminal, StepErrorCode, tracingEnabled, type Logger } from '@squadflow/shared';
import type { CompiledWorkflow, ExecutionContext, MachineEvent } from '../compile/index.ts';
import { isStepEvent, machineEvent } from '../compile/events.ts';
import { performEffects, type EffectDeps } from './effects.ts';
import { ExecutionCache, type LiveExecution, type Snapshot } from './execution-cache.ts';
import { HOP_TRACE, hop, PayloadTooLargeError, type Clock, type KvMutation } from '@squadflow/transport';
import { jsonBytesOver } from './payload-size.ts';
import type { ExecutionError } from './quarantine.ts';
import { recordFor } from './record-builder.ts';
import { endNotices } from './end-notices.ts';
import { reopenForCompensation } from './reopen.ts';
import { SerialQueue } from './serial-queue.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { ExecutionStore } from '../store/execution-store.ts';
import type { WorkflowRegistry } from '../store/registry.ts';
import { executionTrace } from '../tracing/execution-trace.ts';
import { emitTransitionSpans } from '../tracing/transition-spans.ts';

export type ApplyResult = 'applied' | 'stale' | 'ended' | 'missing' | 'pending' | 'deferred';

export interface ApplyOptions {
  /** A paused execution leaves this event for later (its timers wait). */
  deferIfPaused?: boolean;
  /** Runs once the event is persisted, before its effects go out. */
  onApplied?: (workflow: CompiledWorkflow) => Promise<void>;
}

export interface EventApplierDeps {
  executions: ExecutionStore;
  registry: WorkflowRegistry;
  effects: EffectDeps;
  clock: Clock;
  logger: Logger;
  /** Executions kept in memory; 0 restores every actor from KV on each event. */
  cacheCapacity: number;
  /** Drop every actor after its event (tests of the restore path). */
  evictAfterEvent: boolean;
  /** Told of every execution written (the recovery pass uses it to spot stale scans). */
  onWritten?: (executionId: string) => void;
  /** A step's mapped input larger than this (as JSON) fails the step with `PAYLOAD_TOO_LARGE` instead of being dispatched. */
  maxStepPayloadBytes: number;
  /** Fails an execution without a transition (see quarantine.ts); called in the execution's turn. */
  quarantine(executionId: string, error: ExecutionError): Promise<boolean>;
}

interface Queued {
  event: MachineEvent;
  options: ApplyOptions;
  resolve(result: ApplyResult): void;
  reject(err: unknown): void;
}

/**
 * Applies events to executions: load the actor (memory, else KV), compute
 * the transitions with the pure machine, resolve expression evaluations,
 * persist the snapshot and its effects with one compare-and-set, perform the
 * effects. A crash anywhere leads to redelivery and the same outcome.
 *
 * Events of one execution never interleave in a process. Those that queue up
 * behind one another (a fan-out's replies, a heartbeat and its reply) are
 * applied as one group: every transition in order, one KV write for all, one
 * combined outbox. The group is persisted or retried as a whole, so each
 * event still takes effect exactly once.
 */
export class EventApplier {
  private readonly queue = new SerialQueue();
  private readonly cache: ExecutionCache;
  private readonly waiting = new Map<string, Queued[]>();

  constructor(private readonly deps: EventApplierDeps) {
    this.cache = new ExecutionCache(deps.evictAfterEvent ? 0 : deps.cacheCapacity);
  }

  /** Applies one event; resolves when it is persisted and its effects performed (or found stale). */
  apply(executionId: string, event: MachineEvent, options: ApplyOptions = {}): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      const queued = this.waiting.get(executionId);
      if (queued) return void queued.push({ event, options, resolve, reject });
      this.waiting.set(executionId, [{ event, options, resolve, reject }]);
      void this.queue.run(executionId, () => this.drain(executionId));
    });
  }

  /** Runs `task` in the execution's turn: no event of it is applied meanwhile in this process. */
  exclusive<T>(executionId: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(executionId, task);
  }

  /** Resolves when no event is being applied. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The execution's actor: cached, else restored from its KV record. */
  async load(executionId: string): Promise<LiveExecution | undefined> {
    const hit = this.cache.get(executionId);
    if (hit) return hit;
    const stored = await this.deps.executions.read(executionId);
    return stored ? this.restore(stored.record, stored.revision) : undefined;
  }

  /** Drops the execution's actor from memory: its next event restores it from KV. */
  forget(executionId: string): void {
    this.cache.delete(executionId);
  }

  /** The cached actor, if any (no KV read). */
  cached(executionId: string): LiveExecution | undefined {
    return this.cache.get(executionId);
  }

  /** Rebuilds the actor of a stored record and caches it. */
  async restore(record: ExecutionRecord, revision: number): Promise<LiveExecution | undefined> {
    if (record.snapshot === undefined || record.version === undefined) return undefined;
    const workflow = await this.deps.registry.get(record.workflow, record.version);
    const snapshot = workflow.machine.resolveState(record.snapshot as never) as unknown as Snapshot;
    // Failed by the engine over a live statechart: it takes no more events, and its outbox is never replayed.
    const quarantined = isTerminal(record.status) && snapshot.status === 'active';
    const live: LiveExecution = {
      record: { ...record, snapshot: undefined },
      revision,
      snapshot,
      workflow,
      effectsDone: quarantined,
      restored: true,
      ...(quarantined ? { quarantined } : {}),
    };
    this.cache.set(live);
    return live;
  }

  /**
   * Resolves `evaluate` effects (conditions, mappings, keys) into events,
   * before anything is persisted; adds the `then` handoffs when it completes.
   */
  async settle(workflow: CompiledWorkflow, start: Snapshot): Promise<Snapshot> {
    let snapshot = start;
    let hasEvaluations = false;
    for (let i = 0; i < snapshot.context.outbox.length; i++) {
      const effect = snapshot.context.outbox[i]!;
      if (effect.kind !== 'evaluate') continue;
      hasEvaluations = true;
      const event = this.bounded(await workflow.evaluate(snapshot.context, effect.step, effect.purpose));
      snapshot = workflow.runner.transition(snapshot, event);
    }
    let outbox = hasEvaluations ? snapshot.context.outbox.filter((e) => e.kind !== 'evaluate') : snapshot.context.outbox;
    // The transition that ends the execution tells its watchers (a parent step, waits on it) in the same outbox.
    const notices = await endNotices(workflow, snapshot, outbox);
    if (notices.length) outbox = [...outbox, ...notices];
    // The transition that completes the execution also starts its `then` handoffs, in the same persisted outbox.
    if (outbox.some((e) => e.kind === 'lifecycle' && e.type === 'execution.completed')) {
      try {
        outbox = [...outbox, ...(await workflow.handoffs(snapshot.context))];
      } catch (err) {
        this.deps.logger.error({ err, executionId: snapshot.context.executionId }, 'handoff expression failed; no next workflow started');
      }
    }
    return outbox === snapshot.context.outbox ? snapshot : withContext(snapshot, { outbox });
  }

  /**
   * A mapped input too large to send or store (over `maxStepPayloadBytes`)
   * fails its step (`PAYLOAD_TOO_LARGE`, not retried) instead of reaching
   * the snapshot and the command. Measured by a bounded walk: a runaway
   * value is not encoded to find out.
   */
  private bounded(event: MachineEvent): MachineEvent {
    const isEval = event.type === 'ceval' || isStepEvent(event, 'eval');
    if (!isEval || !('input' in event) || event.input === undefined) return event;
    const limit = this.deps.maxStepPayloadBytes;
    if (!jsonBytesOver(event.input, limit)) return event;
    const error = `the mapped input is over the ${limit}-byte bound for a step's input`;
    const code = StepErrorCode.PAYLOAD_TOO_LARGE;
    return event.type === 'ceval'
      ? machineEvent.compEval(event.step, { error, code })
      : machineEvent.eval(event.type.slice('eval.'.length), { run: false, error, code });
  }

  /**
   * The record the events would produce is larger than the store accepts
   * (measured by the store on the bytes it encoded): no retry can write it,
   * so the execution fails as it stood before them, with `RECORD_TOO_LARGE`.
   */
  private async outgrown(executionId: string, err: PayloadTooLargeError): Promise<void> {
    this.cache.delete(executionId);
    const message = `the execution record would be ${err.bytes} bytes, over the store's ${err.limit}-byte limit (step inputs and outputs accumulate in it)`;
    await this.deps.quarantine(executionId, { code: ExecutionErrorCode.RECORD_TOO_LARGE, message });
  }

  /**
   * Caches a just-persisted execution and performs its outbox. `before`: the
   * execution as it stood before the transition (none for a start), to tell
   * which spans the transition finished.
   */
  async commit(live: LiveExecution, before?: LiveExecution): Promise<void> {
    // The cached record keeps its summary fields only: the live snapshot is the same data, held once.
    if (live.record.snapshot !== undefined) live.record = { ...live.record, snapshot: undefined };
    this.cache.set(live);
    this.deps.onWritten?.(live.record.executionId);
    if (tracingEnabled()) emitTransitionSpans(before, live, this.deps.logger);
    await this.flush(live);
    // An ended execution gets no more events worth a cache hit: keeping it would only grow memory (to the cache bound).
    if (this.deps.evictAfterEvent || live.snapshot.status !== 'active') this.cache.delete(live.record.executionId);
  }

  /** Performs the outbox of the last persisted transition, once per process. */
  async flush(live: LiveExecution): Promise<void> {
    if (live.effectsDone) return;
    const { context } = live.snapshot;
    await performEffects(this.deps.effects, context, context.outbox, {
      replay: live.restored === true,
      ...(tracingEnabled() ? { trace: executionTrace(context.executionId, live.record.trace) } : {}),
    });
    live.effectsDone = true;
  }

  /** Applies every event queued for the execution, as one group. */
  private async drain(executionId: string): Promise<void> {
    if (HOP_TRACE) hop('apply');
    const group = this.waiting.get(executionId) ?? [];
    this.waiting.delete(executionId);
    try {
      const results = await this.applyGroup(executionId, group);
      group.forEach((q, i) => q.resolve(results[i]!));
    } catch (err) {
      for (const q of group) q.reject(err);
    }
  }

  /**
   * `verified`: the cached actor was found behind KV on the first try and
   * this is the second one, on a fresh read.
   */
  private async applyGroup(executionId: string, group: readonly Queued[], verified = false): Promise<ApplyResult[]> {
    let results: ApplyResult[] = [];
    /** Whether the events were judged on the cached actor, without a KV read. */
    let judgedOnCache = false;
    let applied: Queued[] = [];
    let live: LiveExecution | undefined;
    let snapshot: Snapshot | undefined;
    // The first attempt works on the cached actor, whose record and revision go in as `initial`: no KV read.
    let hit = this.cache.get(executionId);
    let mutation: KvMutation<ExecutionRecord>;
    try {
      mutation = await this.deps.executions.mutate(
        executionId,
        async (_current, stored) => {
          judgedOnCache = hit !== undefined;
          live = hit ?? (stored ? await this.restore(stored.value, stored.revision) : undefined);
          hit = undefined;
          if (!live) {
            results = group.map(() => 'missing');
            return undefined;
          }
          // An actor restored from KV may carry effects a crash cut short (persisted, never performed). They go
          // out before any new event replaces its outbox: otherwise a timer or command they hold is lost for good.
          // Replaying is safe: commands and lifecycle events carry their ids (the streams drop a copy within the
          // dedup window; a squad acks a later copy of a command it already started without answering), timers
          // already armed here are left alone.
          if (!live.effectsDone) await this.flush(live);
          results = [];
          applied = [];
          const outbox: ExecutionContext['outbox'] = [];
          let next = live.snapshot;
          for (const q of group) {
            if (!live.quarantined) next = reopenForCompensation(live.workflow, next, q.event);
            if (next.status !== 'active' || live.quarantined) {
              results.push('ended');
              continue;
            }
            if (q.options.deferIfPaused && next.context.paused) {
              results.push('deferred');
              continue;
            }
            failpoint('orchestrator.apply', `${executionId} ${q.event.type}`);
            const prepared = withContext(next, { outbox: [], now: this.deps.clock.now() });
            const moved = live.workflow.runner.transition(prepared, q.event);
            if (moved === prepared) {
              // Stale, duplicate or late: nothing moves.
              results.push('stale');
              continue;
            }
            next = await this.settle(live.workflow, moved);
            outbox.push(...next.context.outbox);
            applied.push(q);
            results.push('applied');
          }
          if (!applied.length) return undefined;
          snapshot = applied.length > 1 ? withContext(next, { outbox }) : next;
          failpoint('orchestrator.after-transition', failpointDetail(executionId, applied));
          if (HOP_TRACE) hop('transitioned');
          return recordFor(live.workflow, snapshot, live.record);
        },
        {
          ...(hit ? { initial: { key: executionId, value: hit.record, revision: hit.revision } } : {}),
          onConflict: () => this.cache.delete(executionId), // another writer won: reload and recompute
        },
      );
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) throw err;
      await this.outgrown(executionId, err);
      return group.map(() => 'ended');
    }
    if (HOP_TRACE) hop('persisted');
    const { written, record } = mutation;
    if (!written && judgedOnCache && !verified && live && results.some((r) => r === 'stale' || r === 'deferred')) {
      // Nothing was written, so no compare-and-set checked the cached actor. Another replica may have moved the
      // execution since it was cached here: a reply for an attempt it dispatched is stale only to this old copy,
      // and acking it as stale would lose it (the step would wait for its timeout). Confirm against KV first.
      const stored = await this.deps.executions.read(executionId);
      if (stored && stored.revision !== live.revision) {
        this.cache.delete(executionId);
        return this.applyGroup(executionId, group, true);
      }
    }
    if (!written || !record || !live || !snapshot) return results;
    failpoint('orchestrator.after-persist', failpointDetail(executionId, applied));
    // Before the effects go out, so a retry dispatched by this very event already sees the breaker's new state.
    for (const q of applied) await q.options.onApplied?.(live.workflow);
    await this.commit({ record: record.value, revision: record.revision, snapshot, workflow: live.workflow, effectsDone: false }, live);
    if (HOP_TRACE) hop('effects done');
    failpoint('orchestrator.after-publish', failpointDetail(executionId, applied));
    return results;
  }
}

/** What a failpoint of a group sees: the execution and its applied events' types (`ex_... reply.b timer.c`). */
function failpointDetail(executionId: string, applied: readonly Queued[]): string {
  return `${executionId} ${applied.map((q) => q.event.type).join(' ')}`;
}

export function withContext(snapshot: Snapshot, patch: Partial<ExecutionContext>): Snapshot {
  return { ...snapshot, context: { ...snapshot.context, ...patch } } as Snapshot;
}
