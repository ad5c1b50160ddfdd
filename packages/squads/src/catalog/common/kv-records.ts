import { KvRecords } from '@squadflow/transport';

/**
 * The transport's schema-checked records with the two operations the
 * catalog's stores share. Every write that depends on the current value is
 * the transport's bounded compare-and-set, so squad replicas sharing a
 * bucket never lose each other's updates.
 */
export class CatalogRecords<T> extends KvRecords<T> {
  /**
   * Changes a stored record: `change` returns the new record, or `undefined`
   * to leave it as is, and is not called for an absent key. Returns the
   * record as stored afterwards (null when the key does not exist).
   */
  async modify(key: string, change: (current: T) => T | undefined): Promise<T | null> {
    const { record } = await this.mutate(key, (current) => (current === null ? undefined : change(current)));
    return record?.value ?? null;
  }

  /** Every record whose key matches `filter` (a NATS key pattern such as `campaign.*`). */
  async list(filter?: string): Promise<T[]> {
    return (await this.entries(filter)).map((r) => r.value);
  }
}
