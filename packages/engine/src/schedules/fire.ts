import { SquadflowError, TERMINAL_STATUSES, type Logger } from '@squadflow/shared';
import type { EngineClient } from '../client/engine-client.ts';
import { KvConflictError, type Clock } from '@squadflow/transport';
import type { ScheduleStore, ScheduleView, SlotOutcome } from './store.ts';
import { latestDue, slotAfter } from './timing.ts';

/** A slot later than this (catch-up `skip`) counts as missed, not merely late. */
export const MISFIRE_GRACE_MS = 60_000;
/** How often a queued slot checks whether the run ahead of it has ended. */
export const QUEUE_CHECK_MS = 1_000;

/** Trigger errors that another attempt cannot fix: the slot is recorded as failed and the schedule moves on. */
const PERMANENT = new Set(['WORKFLOW_NOT_FOUND', 'INVALID_CONTEXT', 'INVALID_ARGUMENT']);

/** The idempotency key of a slot's execution: the same on every replica, and after a crash. */
export function slotKey(id: string, slot: number): string {
  return `schedule:${id}:${slot}`;
}

/** What one look at a schedule decided: wait, or write `next` (after starting `start`'s execution, if any). */
type Step = { wakeAt: number | undefined } | { next: ScheduleView; start?: number };

/**
 * Claims and fires the due slots of one schedule. The order is what makes a
 * slot fire once across replicas and crashes: trigger first, with the
 * slot's deterministic idempotency key, then advance the entry with a
 * compare-and-set on the revision read. Replicas that race both trigger the
 * same key (one execution); the loser's CAS fails and it re-reads an entry
 * that has moved on. A crash between trigger and CAS redoes the trigger with
 * the same key: the same execution again.
 */
export class SlotFirer {
  constructor(
    private readonly store: ScheduleStore,
    private readonly client: EngineClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Fires whatever is due; returns when to look again (`undefined`: only when something changes). */
  async process(id: string): Promise<number | undefined> {
    for (let round = 0; round < 32; round++) {
      const stored = await this.store.read(id);
      if (!stored || stored.record.state !== 'active') return undefined;
      const step = await this.decide(stored.record, this.clock.now());
      if ('wakeAt' in step) return step.wakeAt;
      let next = step.next;
      if (step.start !== undefined) next = await this.start(next, step.start);
      try {
        await this.store.update(next, stored.revision);
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
        // Another replica (or an API call) wrote first: re-read and decide again.
      }
    }
    return this.clock.now() + QUEUE_CHECK_MS; // still busy after many rounds: yield and come back soon
  }

  private async decide(r: ScheduleView, now: number): Promise<Step> {
    const base = { ...r, updatedAt: now };
    if (r.queuedSlot !== undefined && !(await this.running(r.lastExecutionId))) {
      const { queuedSlot: _q, ...rest } = base;
      return { next: { ...rest, state: r.nextAt === undefined ? 'done' : 'active' }, start: r.queuedSlot };
    }
    const queueCheck = r.queuedSlot === undefined ? undefined : now + QUEUE_CHECK_MS;
    if (r.nextAt === undefined || r.nextAt > now) return { wakeAt: earliest(r.nextAt, queueCheck) };

    // Due. Earlier slots than the latest due one were missed while no orchestrator ran: catch-up fires only the latest.
    const slot = latestDue(r, r.nextAt, now);
    const following = slotAfter(r, slot);
    const { nextAt: _n, ...rest } = base;
    const advanced: ScheduleView = {
      ...rest,
      state: following === undefined && r.queuedSlot === undefined ? 'done' : 'active',
      ...(following === undefined ? {} : { nextAt: following }),
    };
    const outcome = (result: SlotOutcome['result']): SlotOutcome => ({ slot, at: now, result });
    if (r.catchUp === 'skip' && now - slot > MISFIRE_GRACE_MS) return { next: { ...advanced, lastOutcome: outcome('missed') } };
    if (r.overlap !== 'allow' && (await this.running(r.lastExecutionId))) {
      // Queue keeps the first waiting slot (like Temporal's BufferOne): later ones are dropped while it waits.
      if (r.overlap === 'queue' && r.queuedSlot === undefined)
        return { next: { ...advanced, state: 'active', queuedSlot: slot, lastOutcome: outcome('queued') } };
      return { next: { ...advanced, lastOutcome: outcome('skipped') } };
    }
    return { next: advanced, start: slot };
  }

  /** Starts the slot's execution and returns `next` recording it. Transient errors throw (the slot is retried). */
  private async start(next: ScheduleView, slot: number): Promise<ScheduleView> {
    const at = this.clock.now();
    try {
      const executionId = await this.client.trigger(next.workflow, next.context, {
        idempotencyKey: slotKey(next.id, slot),
        ...(next.version === undefined ? {} : { version: next.version }),
      });
      this.logger.debug({ schedule: next.id, slot, executionId }, 'schedule fired');
      return { ...next, lastSlot: slot, lastExecutionId: executionId, lastOutcome: { slot, at, result: 'started', executionId } };
    } catch (err) {
      if (!(err instanceof SquadflowError) || !PERMANENT.has(err.code)) throw err;
      this.logger.warn({ schedule: next.id, slot, err: err.toJSON() }, 'scheduled run could not start');
      return { ...next, lastOutcome: { slot, at, result: 'failed', error: { code: err.code, message: err.message } } };
    }
  }

  /** Whether the schedule's previous run is still going (any status but an end one; `pending` counts). */
  private async running(executionId: string | undefined): Promise<boolean> {
    if (executionId === undefined) return false;
    const view = await this.client.getExecution(executionId);
    return view !== null && !TERMINAL_STATUSES.has(view.status);
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}
