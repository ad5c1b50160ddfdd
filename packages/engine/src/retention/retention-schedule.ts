import type { Names } from '@squadflow/shared';
import { kvRecords, type KvRecords, type Transport } from '@squadflow/transport';
import { z } from 'zod';

/** Width of one slot of the schedule: the sweeper asks the bucket for one slot's keys at a time. */
export const SLOT_MS = 3_600_000;
const SLOT_DIGITS = 9;

const DueSchema = z.object({ dueAt: z.number() });

/** One scheduled departure: the execution and when it is due to leave the hot store. */
export interface Departure {
  key: string;
  executionId: string;
  dueAt: number;
}

/**
 * When each ended execution is due to leave the hot store: bucket
 * `<p>_retention`, key `<slot>.<execution id>` where the slot is the due
 * hour, zero-padded, value `{ dueAt }`. Keyed by due time so the sweeper asks
 * the server for the keys of the hours that fell due (a subject filter), and
 * never reads the departures that are not due, let alone every execution.
 */
export class RetentionSchedule {
  private constructor(private readonly records: KvRecords<{ dueAt: number }>) {}

  static async open(transport: Transport, n: Names): Promise<RetentionSchedule> {
    return new RetentionSchedule(kvRecords(await transport.kv(n.buckets.retention), DueSchema));
  }

  /** Schedules the departure (idempotent: the same execution and time is the same key). */
  async add(executionId: string, dueAt: number): Promise<string> {
    const key = keyOf(executionId, dueAt);
    await this.records.put(key, { dueAt });
    return key;
  }

  async remove(key: string): Promise<void> {
    await this.records.delete(key);
  }

  /** The departures of one slot (due or not yet: the current hour holds both). */
  async slot(slot: number): Promise<Departure[]> {
    return (await this.records.entries(`${pad(slot)}.*`)).map(({ key, value }) => ({
      key,
      executionId: key.slice(SLOT_DIGITS + 1),
      dueAt: value.dueAt,
    }));
  }

  /** The earliest slot holding a departure, if any: one listing of keys, at start only. */
  async earliestSlot(): Promise<number | undefined> {
    let earliest: number | undefined;
    for (const key of await this.records.keys()) {
      const slot = Number(key.slice(0, SLOT_DIGITS));
      if (Number.isInteger(slot) && (earliest === undefined || slot < earliest)) earliest = slot;
    }
    return earliest;
  }
}

export const slotOf = (at: number): number => Math.floor(at / SLOT_MS);
const pad = (slot: number): string => String(slot).padStart(SLOT_DIGITS, '0');
const keyOf = (executionId: string, dueAt: number): string => `${pad(slotOf(dueAt))}.${executionId}`;
