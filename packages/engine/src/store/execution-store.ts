import { kvRecords, type KvMutateFn, type KvMutation, type KvRecords, type KvStore, type MutateOptions } from '@squadflow/transport';
import { ExecutionRecordSchema, type ExecutionRecord } from './execution-record.ts';

/** Ids that can be KV keys: anything else names no execution (and would make the adapters throw). */
const EXECUTION_KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** Execution records in KV, keyed by execution id, written with compare-and-set. */
export class ExecutionStore {
  private readonly records: KvRecords<ExecutionRecord>;

  constructor(readonly kv: KvStore) {
    this.records = kvRecords(kv, ExecutionRecordSchema);
  }

  async read(id: string): Promise<{ record: ExecutionRecord; revision: number } | null> {
    if (!EXECUTION_KEY.test(id)) return null;
    const stored = await this.records.get(id);
    return stored ? { record: stored.value, revision: stored.revision } : null;
  }

  /** Throws `KvConflictError` when the id exists. */
  create(record: ExecutionRecord): Promise<number> {
    return this.records.create(record.executionId, record);
  }

  /** Throws `KvConflictError` when someone wrote since `revision`. */
  update(record: ExecutionRecord, revision: number): Promise<number> {
    return this.records.update(record.executionId, record, revision);
  }

  /**
   * Read, change, compare-and-set, retried on conflict (see `KvRecords.mutate`).
   * An id that cannot be a key is known absent: `fn` sees null, nothing is read.
   */
  mutate(id: string, fn: KvMutateFn<ExecutionRecord>, options: MutateOptions<ExecutionRecord> = {}): Promise<KvMutation<ExecutionRecord>> {
    return this.records.mutate(id, fn, EXECUTION_KEY.test(id) ? options : { ...options, initial: null });
  }

  /** Every record (a scan: fine for operators' queries, not for hot paths). */
  async list(): Promise<ExecutionRecord[]> {
    return (await this.records.entries()).map((r) => r.value);
  }

  /** Every record with its revision. */
  async scan(): Promise<Array<{ record: ExecutionRecord; revision: number }>> {
    return (await this.records.entries()).map((r) => ({ record: r.value, revision: r.revision }));
  }
}
