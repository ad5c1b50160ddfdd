import type { KvStore } from '@squadflow/transport';
import { executionRecordCodec, type ExecutionRecord } from './execution-record.ts';

/** Execution records in KV, keyed by execution id, written with compare-and-set. */
export class ExecutionStore {
  constructor(readonly kv: KvStore) {}

  async read(id: string): Promise<{ record: ExecutionRecord; revision: number } | null> {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) return null;
    const entry = await this.kv.get(id);
    return entry ? { record: executionRecordCodec.decode(entry.value), revision: entry.revision } : null;
  }

  /** Throws `KvConflictError` when the id exists. */
  create(record: ExecutionRecord): Promise<number> {
    return this.kv.create(record.executionId, executionRecordCodec.encode(record));
  }

  /** Throws `KvConflictError` when someone wrote since `revision`. */
  update(record: ExecutionRecord, revision: number): Promise<number> {
    return this.kv.update(record.executionId, executionRecordCodec.encode(record), revision);
  }

  /** Every record (a scan: fine for operators' queries, not for hot paths). */
  async list(): Promise<ExecutionRecord[]> {
    return (await this.scan()).map((r) => r.record);
  }

  /** Every record with its revision. */
  async scan(): Promise<Array<{ record: ExecutionRecord; revision: number }>> {
    return (await this.kv.entries()).map((entry) => ({ record: executionRecordCodec.decode(entry.value), revision: entry.revision }));
  }
}
