import { KvConflictError, type KvStore } from '@squadflow/transport';
import type { Codec } from '@squadflow/shared';

/** How many times a compare-and-set write is retried before giving up (contention between replicas). */
const MAX_CAS_ATTEMPTS = 20;

/**
 * A KV bucket holding one record type, encoded with a schema codec. Every
 * write that depends on the current value uses compare-and-set, so squad
 * replicas sharing the bucket never lose each other's updates.
 */
export class KvRecords<T> {
  constructor(
    readonly kv: KvStore,
    private readonly codec: Codec<T>,
  ) {}

  async get(key: string): Promise<T | null> {
    const entry = await this.kv.get(key);
    return entry ? this.codec.decode(entry.value) : null;
  }

  /**
   * Stores `value` unless the key already holds a record. Returns the record
   * that is stored and whether this call wrote it: the building block of
   * idempotent "create" handlers.
   */
  async createOnce(key: string, value: T): Promise<{ value: T; created: boolean }> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      try {
        await this.kv.create(key, this.codec.encode(value));
        return { value, created: true };
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
      const existing = await this.get(key);
      // Deleted between create and get: try to create again.
      if (existing) return { value: existing, created: false };
    }
    throw new Error(`could not create ${this.kv.bucket}/${key}: too much contention`);
  }

  /**
   * Read-modify-write with compare-and-set, retried on conflict. `change`
   * returns the new record, or `undefined` to leave it as is. Returns the
   * stored record (null when the key does not exist).
   */
  async update(key: string, change: (current: T) => T | undefined): Promise<T | null> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(key);
      if (!entry) return null;
      const current = this.codec.decode(entry.value);
      const next = change(current);
      if (next === undefined) return current;
      try {
        await this.kv.update(key, this.codec.encode(next), entry.revision);
        return next;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
    throw new Error(`could not update ${this.kv.bucket}/${key}: too much contention`);
  }

  /** Every record whose key matches `filter` (a NATS key pattern such as `campaign.*`). */
  async list(filter?: string): Promise<T[]> {
    const keys = await this.kv.keys(filter);
    const out: T[] = [];
    for (const value of await Promise.all(keys.map((key) => this.get(key)))) {
      // A key deleted between `keys` and `get` is simply gone.
      if (value !== null) out.push(value);
    }
    return out;
  }
}
