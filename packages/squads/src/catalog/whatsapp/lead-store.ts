/**
 * Seed 004's leads in KV (`<prefix>_leads`, one record per phone, key
 * `leadKey(phone)`): the WhatsApp squad records each status change as the
 * lead's workflows progress, appended to the lead's history with the time and
 * the execution. The gateway reads the same bucket (`GET /v1/leads`); the
 * record's schema lives in `@squadflow/shared`.
 */
import {
  leadKey,
  LeadRecordSchema,
  MAX_LEAD_HISTORY,
  names,
  type LeadHistoryEntry,
  type LeadRecord,
  type LeadStatus,
} from '@squadflow/shared';
import { kvRecords, type Clock, type KvRecords, type Transport } from '@squadflow/transport';

/** One status change, as a workflow step reports it. */
export interface LeadStatusChange {
  phone: string;
  status: LeadStatus;
  executionId: string;
  step?: string;
  name?: string;
  segment?: string;
  note?: string;
}

export class LeadStore {
  constructor(
    private readonly records: KvRecords<LeadRecord>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /**
   * Records a status change (compare-and-set, retried on a race between
   * replicas). Idempotent per execution, step and status: a redelivered or
   * retried command appends nothing a second time.
   */
  async record(change: LeadStatusChange): Promise<LeadRecord> {
    const { record } = await this.records.mutate(leadKey(change.phone), (current) => apply(current, change, this.clock.now()));
    // Set: `apply` returns a record for a new lead and `undefined` (kept as stored) otherwise.
    return record!.value;
  }

  async get(phone: string): Promise<LeadRecord | null> {
    return (await this.records.get(leadKey(phone)))?.value ?? null;
  }
}

function apply(current: LeadRecord | null, change: LeadStatusChange, now: number): LeadRecord | undefined {
  const seen = current?.history.some((h) => h.executionId === change.executionId && h.step === change.step && h.status === change.status);
  if (current && seen) return undefined;
  const entry: LeadHistoryEntry = {
    status: change.status,
    at: now,
    executionId: change.executionId,
    ...(change.step ? { step: change.step } : {}),
    ...(change.note ? { note: change.note.slice(0, 500) } : {}),
  };
  const name = change.name ?? current?.name;
  const segment = change.segment ?? current?.segment;
  return {
    ...current,
    phone: change.phone.replace(/\D/g, ''),
    ...(name ? { name } : {}),
    ...(segment ? { segment } : {}),
    status: change.status,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    history: [...(current?.history ?? []), entry].slice(-MAX_LEAD_HISTORY),
  };
}

/** Bucket of the leads: `<prefix>_leads` (`names(prefix).buckets.leads`). */
export function leadsBucket(prefix: string): string {
  return names(prefix).buckets.leads;
}

/** Opens (creating if missing) the lead bucket of a deployment. Leads are business records: no ttl. */
export async function openLeadStore(transport: Transport, prefix = 'sqf'): Promise<LeadStore> {
  const kv = await transport.kv(leadsBucket(prefix));
  return new LeadStore(kvRecords(kv, LeadRecordSchema), transport.clock);
}
