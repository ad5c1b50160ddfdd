import { DurationSchema, JsonObjectSchema, SquadflowError, type Names } from '@squadflow/shared';
import { KvConflictError, kvRecords, type Bus, type KvRecords, type KvStore, type Transport } from '@squadflow/transport';
import { z } from 'zod';
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

const SlotOutcomeSchema = z.looseObject({
  slot: z.number(),
  at: z.number(),
  result: z.enum(['started', 'skipped', 'queued', 'missed', 'failed']),
  executionId: z.string().optional(),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
});

/**
 * The stored schedule. Loose, like the cast it replaces: a field a newer
 * replica adds survives this one's compare-and-set rewrites. The spec part
 * was validated when the schedule was created, so only its types are checked.
 */
const ScheduleViewSchema: z.ZodType<ScheduleView> = z.looseObject({
  id: z.string(),
  workflow: z.string(),
  version: z.number().optional(),
  context: JsonObjectSchema,
  cron: z.string().optional(),
  timezone: z.string(),
  every: DurationSchema.optional(),
  overlap: z.enum(['skip', 'queue', 'allow']),
  catchUp: z.enum(['latest', 'skip']),
  at: z.number().optional(),
  state: z.enum(['active', 'paused', 'done']),
  createdAt: z.number(),
  updatedAt: z.number(),
  nextAt: z.number().optional(),
  lastSlot: z.number().optional(),
  lastExecutionId: z.string().optional(),
  queuedSlot: z.number().optional(),
  lastOutcome: SlotOutcomeSchema.optional(),
});

const encoder = new TextEncoder();

/**
 * The schedules bucket. Every write is a compare-and-set on the revision
 * read, so replicas that race on a slot agree on one winner.
 */
export class ScheduleStore {
  private readonly records: KvRecords<ScheduleView>;

  constructor(
    private readonly kv: KvStore,
    private readonly bus: Bus,
    private readonly changedSubject: string,
  ) {
    this.records = kvRecords(kv, ScheduleViewSchema);
  }

  static async open(transport: Transport, n: Names): Promise<ScheduleStore> {
    return new ScheduleStore(await transport.kv(n.buckets.schedules), transport.bus, n.scheduleChanged);
  }

  async read(id: string): Promise<StoredSchedule | null> {
    const stored = await this.records.get(id);
    return stored ? { record: stored.value, revision: stored.revision } : null;
  }

  /** Throws `CONFLICT` when the id is taken. */
  async create(record: ScheduleView): Promise<void> {
    try {
      await this.records.create(record.id, record);
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
      throw new SquadflowError('CONFLICT', `schedule "${record.id}" already exists`, [{ path: 'id', message: 'already exists' }]);
    }
    this.notify(record.id);
  }

  /** Compare-and-set; throws `KvConflictError` when another writer got there first. */
  async update(record: ScheduleView, revision: number): Promise<void> {
    await this.records.update(record.id, record, revision);
  }

  /** Reads, changes and writes back, retrying on conflicts (bounded). Throws when the schedule does not exist. */
  async mutate(id: string, change: (record: ScheduleView) => ScheduleView): Promise<ScheduleView> {
    const { written, record } = await this.records.mutate(id, (current) => {
      if (!current) throw notFound(id);
      const next = change(current);
      return next === current ? undefined : next;
    });
    if (written) this.notify(id);
    // Set: the change ran on a stored record, and a missing one threw.
    return record!.value;
  }

  async ids(): Promise<string[]> {
    return this.kv.keys();
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.records.entries()).map((s) => s.value).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
