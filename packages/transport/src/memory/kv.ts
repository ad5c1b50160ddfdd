import { SquadflowError } from '@squadflow/shared';
import { KvConflictError, type Clock, type KvEntry, type KvStore } from '../ports.ts';
import { NotFoundError } from '../errors.ts';
import { SubjectPattern, validateBucketName, validateKey } from '../subject-pattern.ts';

/** A stored value, or a delete marker (`value: null`) that still holds its revision, as in JetStream. */
interface Slot {
  value: Uint8Array | null;
  revision: number;
  writtenAt: number;
}

/**
 * An in-memory KV bucket with JetStream KV semantics: one revision sequence
 * per bucket (every put and delete takes the next one), deletes leave a
 * marker so `update` against the marker's revision works, and with a ttl an
 * entry (marker included) vanishes `ttlMs` after its last write. Expiry is
 * evaluated lazily against the injected clock, so a fake clock drives it.
 */
export class MemoryKv implements KvStore {
  private readonly slots = new Map<string, Slot>();
  private sequence = 0;
  private removed = false;

  constructor(
    readonly bucket: string,
    private readonly clock: Clock,
    private readonly ttlMs?: number,
  ) {
    validateBucketName(bucket);
  }

  /** Makes every later call fail, like a handle on a deleted NATS bucket. */
  dispose(): void {
    this.removed = true;
    this.slots.clear();
  }

  async get(key: string): Promise<KvEntry | null> {
    validateKey(key);
    const slot = this.live(key);
    if (!slot?.value) return null;
    return { key, value: slot.value.slice(), revision: slot.revision };
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    validateKey(key);
    if (this.live(key)?.value) throw new KvConflictError(this.bucket, key);
    return this.write(key, value.slice());
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    validateKey(key);
    if (!(revision > 0)) throw new SquadflowError('INVALID_ARGUMENT', 'revision must be greater than 0');
    // The marker's revision counts: JetStream compares the subject's last sequence, delete or not.
    if ((this.live(key)?.revision ?? 0) !== revision) throw new KvConflictError(this.bucket, key);
    return this.write(key, value.slice());
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    validateKey(key);
    return this.write(key, value.slice());
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    this.write(key, null);
  }

  async keys(filter?: string): Promise<string[]> {
    return (await this.entries(filter)).map((e) => e.key);
  }

  async entries(filter?: string): Promise<KvEntry[]> {
    this.assertOpen();
    if (filter !== undefined) validateKey(filter, { filter: true });
    const pattern = filter === undefined || filter === '>' ? null : new SubjectPattern(filter);
    const out: KvEntry[] = [];
    for (const key of [...this.slots.keys()]) {
      const slot = this.live(key);
      if (slot?.value && (!pattern || pattern.matches(key))) out.push({ key, value: slot.value.slice(), revision: slot.revision });
    }
    return out;
  }

  private write(key: string, value: Uint8Array | null): number {
    this.assertOpen();
    const revision = ++this.sequence;
    // Re-insert so iteration order is write order, like the stream behind a NATS bucket.
    this.slots.delete(key);
    this.slots.set(key, { value, revision, writtenAt: this.clock.now() });
    return revision;
  }

  private live(key: string): Slot | undefined {
    this.assertOpen();
    const slot = this.slots.get(key);
    if (slot && this.ttlMs && this.clock.now() - slot.writtenAt >= this.ttlMs) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }

  private assertOpen(): void {
    if (this.removed) throw new NotFoundError('bucket', this.bucket);
  }
}
