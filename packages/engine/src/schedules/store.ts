import { SquadflowError, type Names } from '@squadflow/shared';
import { KvConflictError, type Bus, type KvStore, type Transport } from '@squadflow/transport';
import type { NormalizedSpec } from './spec.ts';

/** What became of one slot. */
export interface SlotOutcome {
  slot: number;
  /** When it was decided (epoch ms). */
  at: number;
  /** `started` an execution; `skipped` (overlap), `queued` behind the running one, `missed` (catch-up `skip`), `failed` to start. */
  result: 'started' | 'skipped' | 'queued' | 'missed' | 'failed';
  executionId?: string;
  error?: { code: string; message: string };
}

/**
 * A schedule as stored (one KV entry per id in `<prefix>_schedules`) and as
 * the API shows it: the spec plus the state every replica claims slots on.
 */
export interface ScheduleView extends NormalizedSpec {
  id: string;
  /** `done`: a one-shot that fired (or a cron with no future match). */
  state: 'active' | 'paused' | 'done';
  createdAt: number;
  updatedAt: number;
  /** The earliest slot not yet claimed. */
  nextAt?: number;
  /** The last slot that started an execution. */
  lastSlot?: number;
  lastExecutionId?: string;
  /** A slot waiting for the previous run to end (overlap `queue`): at most one. */
  queuedSlot?: number;
  lastOutcome?: SlotOutcome;
}

export interface StoredSchedule {
  record: ScheduleView;
  revision: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The schedules bucket. Every write is a compare-and-set on the revision
 * read, so replicas that race on a slot agree on one winner.
 */
export class ScheduleStore {
  constructor(
    private readonly kv: KvStore,
    private readonly bus: Bus,
    private readonly changedSubject: string,
  ) {}

  static async open(transport: Transport, n: Names): Promise<ScheduleStore> {
    return new ScheduleStore(await transport.kv(n.buckets.schedules), transport.bus, n.scheduleChanged);
  }

  async read(id: string): Promise<StoredSchedule | null> {
    const entry = await this.kv.get(id);
    return entry ? { record: JSON.parse(decoder.decode(entry.value)) as ScheduleView, revision: entry.revision } : null;
  }

  /** Throws `CONFLICT` when the id is taken. */
  async create(record: ScheduleView): Promise<void> {
    try {
      await this.kv.create(record.id, encoder.encode(JSON.stringify(record)));
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
      throw new SquadflowError('CONFLICT', `schedule "${record.id}" already exists`, [{ path: 'id', message: 'already exists' }]);
    }
    this.notify(record.id);
  }

  /** Compare-and-set; throws `KvConflictError` when another writer got there first. */
  async update(record: ScheduleView, revision: number): Promise<void> {
    await this.kv.update(record.id, encoder.encode(JSON.stringify(record)), revision);
  }

  /** Reads, changes and writes back, retrying on conflicts. Throws when the schedule does not exist. */
  async mutate(id: string, change: (record: ScheduleView) => ScheduleView): Promise<ScheduleView> {
    for (;;) {
      const stored = await this.read(id);
      if (!stored) throw notFound(id);
      const next = change(stored.record);
      if (next === stored.record) return next;
      try {
        await this.update(next, stored.revision);
        this.notify(id);
        return next;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }

  async ids(): Promise<string[]> {
    return this.kv.keys();
  }

  async list(): Promise<ScheduleView[]> {
    const records = await Promise.all((await this.ids()).map((id) => this.read(id)));
    return records.flatMap((s) => (s ? [s.record] : [])).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.kv.get(id))) throw notFound(id);
    await this.kv.delete(id);
    this.notify(id);
  }

  /**
   * Tells schedulers in every process to re-read this schedule now, rather
   * than at their next poll. Core pub/sub: a lost notice only delays things
   * until the poll, never loses a slot (the KV entry is the truth).
   */
  private notify(id: string): void {
    this.bus.publish(this.changedSubject, encoder.encode(id));
  }
}

/** An unknown schedule id: `SCHEDULE_NOT_FOUND` (the gateway answers 404). */
export function notFound(id: string): SquadflowError {
  return new SquadflowError('SCHEDULE_NOT_FOUND', `schedule "${id}" not found`, [{ path: 'id', message: 'no such schedule' }]);
}
