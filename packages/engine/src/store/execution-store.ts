import { kvRecords, type KvMutateFn, type KvMutation, type KvRecords, type KvStore, type MutateOptions } from '@squadflow/transport';
import { ExecutionRecordSchema, type ExecutionRecord } from './execution-record.ts';

/** Ids that can be KV keys: anything else names no execution (and would make the adapters throw). */
const EXECUTION_KEY = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Told of every execution record this store writes (the retention schedule,
 * the listing index). `previous` is the record the write replaces: `null`
 * for a create, `undefined` when the writer did not read it.
 */
export interface ExecutionWriteHook {
  /**
   * Runs before the write, and may run for a write that then loses its
   * compare-and-set: what it writes must be harmless when the record does
   * not change after all (write-ahead). Throwing aborts the write.
   */
  before?(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): Promise<void>;
  /** Runs once the write landed; must not throw (off the critical path: errors are its own to handle). */
  after?(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): void;
  /** Runs after `remove` deleted the record (it left the hot store). */
  removed?(record: ExecutionRecord): Promise<void>;
  /**
   * Runs when a record `before` was told of was not written (its
   * compare-and-set lost): what was written ahead for it may now be stale.
   * Must not throw (off the critical path).
   */
  lost?(next: ExecutionRecord): void;
}

/** Execution records in KV, keyed by execution id, written with compare-and-set. */
export class ExecutionStore {
  private readonly records: KvRecords<ExecutionRecord>;
  private readonly hooks: ExecutionWriteHook[] = [];

  constructor(readonly kv: KvStore) {
    this.records = kvRecords(kv, ExecutionRecordSchema);
  }

  /** Adds a hook told of every write from now on. */
  observe(hook: ExecutionWriteHook): void {
    this.hooks.push(hook);
  }

  async read(id: string): Promise<{ record: ExecutionRecord; revision: number } | null> {
    if (!EXECUTION_KEY.test(id)) return null;
    const stored = await this.records.get(id);
    return stored ? { record: stored.value, revision: stored.revision } : null;
  }

  /** Throws `KvConflictError` when the id exists. */
  async create(record: ExecutionRecord): Promise<number> {
    await this.before(record, null);
    const revision = await this.records.create(record.executionId, record).catch((err: unknown) => this.lost(err, [record]));
    this.after(record, null);
    return revision;
  }

  /** Throws `KvConflictError` when someone wrote since `revision`. */
  async update(record: ExecutionRecord, revision: number): Promise<number> {
    await this.before(record, undefined);
    const next = await this.records.update(record.executionId, record, revision).catch((err: unknown) => this.lost(err, [record]));
    this.after(record, undefined);
    return next;
  }

  /**
   * Read, change, compare-and-set, retried on conflict (see `KvRecords.mutate`).
   * An id that cannot be a key is known absent: `fn` sees null, nothing is read.
   */
  async mutate(
    id: string,
    fn: KvMutateFn<ExecutionRecord>,
    options: MutateOptions<ExecutionRecord> = {},
  ): Promise<KvMutation<ExecutionRecord>> {
    if (!this.hooks.length) return this.records.mutate(id, fn, EXECUTION_KEY.test(id) ? options : { ...options, initial: null });
    // The last run of `fn` is the one whose result was written.
    let change: { next: ExecutionRecord; previous: ExecutionRecord | null } | undefined;
    // Records told to `before` whose write then lost its compare-and-set (every attempt but the written one).
    const attempted: ExecutionRecord[] = [];
    const observed: KvMutateFn<ExecutionRecord> = async (current, stored) => {
      if (change) attempted.push(change.next);
      change = undefined;
      const next = await fn(current, stored);
      if (next !== undefined && typeof next === 'object') {
        change = { next, previous: current };
        await this.before(next, current);
      }
      return next;
    };
    const mutation = await this.records
      .mutate(id, observed, EXECUTION_KEY.test(id) ? options : { ...options, initial: null })
      .catch((err: unknown) => this.lost(err, change ? [...attempted, change.next] : attempted));
    if (mutation.written && change && mutation.record) this.after(change.next, change.previous);
    else if (change) attempted.push(change.next);
    for (const r of attempted) for (const hook of this.hooks) hook.lost?.(r);
    return mutation;
  }

  /**
   * Removes a record only if it is still at `revision` (throws
   * `KvConflictError` otherwise): the retention sweeper's last step, after
   * the record was archived.
   */
  async remove(record: ExecutionRecord, revision: number): Promise<void> {
    await this.records.delete(record.executionId, { revision });
    for (const hook of this.hooks) await hook.removed?.(record);
  }

  /** Every record (a scan: fine for operators' queries, not for hot paths). */
  async list(): Promise<ExecutionRecord[]> {
    return (await this.records.entries()).map((r) => r.value);
  }

  /** Every record with its revision. */
  async scan(): Promise<Array<{ record: ExecutionRecord; revision: number }>> {
    return (await this.records.entries()).map((r) => ({ record: r.value, revision: r.revision }));
  }

  private async before(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): Promise<void> {
    // Concurrently: the index key and the retention departure are independent writes, both ahead of the record.
    if (this.hooks.length === 1) await this.hooks[0]!.before?.(next, previous);
    else await Promise.all(this.hooks.map((hook) => hook.before?.(next, previous)));
  }

  /** Tells the hooks that these records were not written, and rethrows. */
  private lost(err: unknown, records: readonly ExecutionRecord[]): never {
    for (const r of records) for (const hook of this.hooks) hook.lost?.(r);
    throw err;
  }

  private after(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): void {
    for (const hook of this.hooks) hook.after?.(next, previous);
  }
}
