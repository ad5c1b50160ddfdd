import { randomBytes } from 'node:crypto';
import { SquadflowError, type Names } from '@squadflow/shared';
import type { Clock, Transport } from '@squadflow/transport';
import type { WorkflowRegistry } from '../store/registry.ts';
import { normalizeSpec, type ScheduleSpec } from './spec.ts';
import { ScheduleStore, type ScheduleView } from './store.ts';
import { firstSlot, slotAfter } from './timing.ts';

/**
 * Create, list, pause, resume and delete schedules: what `EngineClient`'s
 * schedule methods delegate to. It writes KV and notifies schedulers; the
 * orchestrators' schedulers do the firing.
 */
export class ScheduleApi {
  constructor(
    private readonly store: ScheduleStore,
    private readonly registry: WorkflowRegistry,
    private readonly clock: Clock,
  ) {}

  /**
   * Validates and stores a schedule. Throws `INVALID_ARGUMENT` naming the
   * field at fault, `WORKFLOW_NOT_FOUND`, `INVALID_CONTEXT`, or `CONFLICT`
   * when the id is taken.
   */
  async create(input: ScheduleSpec): Promise<ScheduleView> {
    const spec = normalizeSpec(input);
    // Fail now, not at 3 a.m.: the workflow must exist and the context must fit it.
    const workflow = await this.registry.get(spec.workflow, spec.version);
    const issues = workflow.checkContext(spec.context);
    if (issues.length) throw new SquadflowError('INVALID_CONTEXT', `invalid context for workflow "${spec.workflow}"`, issues);
    const now = this.clock.now();
    const nextAt = firstSlot(spec, now);
    const record: ScheduleView = {
      ...spec,
      id: spec.id ?? `sch_${randomBytes(9).toString('hex')}`,
      state: nextAt === undefined ? 'done' : 'active',
      createdAt: now,
      updatedAt: now,
      ...(nextAt === undefined ? {} : { nextAt }),
    };
    await this.store.create(record);
    return record;
  }

  list(): Promise<ScheduleView[]> {
    return this.store.list();
  }

  async get(id: string): Promise<ScheduleView | null> {
    return (await this.store.read(id))?.record ?? null;
  }

  /** Stops firing; a run in progress goes on. Pausing a paused or finished schedule changes nothing. */
  pause(id: string): Promise<ScheduleView> {
    return this.store.mutate(id, (r) => (r.state === 'active' ? { ...r, state: 'paused', updatedAt: this.clock.now() } : r));
  }

  /**
   * Fires again from the next slot: slots that fell due while paused are
   * skipped (a pause is deliberate, unlike downtime). A one-shot keeps its
   * `at`, so one that fell due while paused fires at once.
   */
  resume(id: string): Promise<ScheduleView> {
    return this.store.mutate(id, (r) => {
      if (r.state !== 'paused') return r;
      const now = this.clock.now();
      const nextAt = r.at !== undefined || (r.nextAt !== undefined && r.nextAt > now) ? r.nextAt : slotAfter(r, now);
      const { nextAt: _old, ...rest } = r;
      return { ...rest, state: nextAt === undefined ? 'done' : 'active', updatedAt: now, ...(nextAt === undefined ? {} : { nextAt }) };
    });
  }

  /** Removes the schedule; runs it started go on. Throws `SCHEDULE_NOT_FOUND` when there is no such schedule. */
  delete(id: string): Promise<void> {
    return this.store.delete(id);
  }
}

const apis = new WeakMap<object, Promise<ScheduleApi>>();

/** One `ScheduleApi` per owner (an `EngineClient`), opened on first use so clients that never schedule open no bucket. */
export function scheduleApiFor(owner: object, transport: Transport, n: Names, registry: WorkflowRegistry): Promise<ScheduleApi> {
  let api = apis.get(owner);
  if (!api) {
    api = ScheduleStore.open(transport, n).then((store) => new ScheduleApi(store, registry, transport.clock));
    // A failed open (NATS down) is not cached: the next call tries again.
    api.catch(() => apis.delete(owner));
    apis.set(owner, api);
  }
  return api;
}
