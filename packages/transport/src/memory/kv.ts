import { SquadflowError } from '@squadflow/shared';
import { KvConflictError, type Clock, type KvEntry, type KvStore } from '../ports.ts';
import { KvBucketFullError, NotFoundError, PayloadTooLargeError } from '../errors.ts';
import { SubjectPattern, validateBucketName, validateKey } from '../subject-pattern.ts';

/** A stored value, or a delete marker (`value: null`) that still holds its revision, as in JetStream. */
interface Slot {
  value: Uint8Array | null;
  revision: number;
  writtenAt: number;
}

/** How much a bucket takes, as `MemoryTransport` opens it. */
export interface MemoryKvLimits {
  /** Entries vanish this long after their last write. */
  ttlMs?: number;
  /** Largest value accepted (`PayloadTooLargeError` beyond). */
  maxPayload: number;
  /** Bytes of keys and values the bucket may hold (`KvBucketFullError` beyond). */
  maxBytes?: number;
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
  /** Bytes held (keys plus values of every slot, markers included), counted only when `maxBytes` is set. */
  private held = 0;
  private readonly ttlMs: number | undefined;

  constructor(
    readonly bucket: string,
    private readonly clock: Clock,
    private readonly limits: MemoryKvLimits,
  ) {
    validateBucketName(bucket);
    this.ttlMs = limits.ttlMs;
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

  async delete(key: string, options?: { revision?: number }): Promise<void> {
    validateKey(key);
    // Like `update`, a marker's revision counts.
    if (options?.revision !== undefined && (this.live(key)?.revision ?? 0) !== options.revision)
      throw new KvConflictError(this.bucket, key);
    this.write(key, null);
  }

  async forget(key: string): Promise<void> {
    validateKey(key);
    const slot = this.live(key);
    if (!slot) return;
    this.slots.delete(key);
    if (this.limits.maxBytes !== undefined) this.held -= size(key, slot.value);
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
    if (value && value.length > this.limits.maxPayload)
      throw new PayloadTooLargeError(`${this.bucket}/${key}`, value.length, this.limits.maxPayload);
    if (this.limits.maxBytes !== undefined) this.reserve(key, value);
    const revision = ++this.sequence;
    // Re-insert so iteration order is write order, like the stream behind a NATS bucket.
    this.slots.delete(key);
    this.slots.set(key, { value, revision, writtenAt: this.clock.now() });
    return revision;
  }

  /** Counts a write against `maxBytes` (it replaces the key's slot), or refuses it. */
  private reserve(key: string, value: Uint8Array | null): void {
    this.expireOldest();
    const before = this.slots.get(key);
    const next = this.held - (before ? size(key, before.value) : 0) + size(key, value);
    // A delete marker always fits: it is how room is made.
    if (value && next > this.limits.maxBytes! && next > this.held) throw new KvBucketFullError(this.bucket, key);
    this.held = next;
  }

  /** Drops expired slots so they free their bytes. Slots are in write order and share one ttl: stop at the first live one. */
  private expireOldest(): void {
    if (!this.ttlMs) return;
    const now = this.clock.now();
    for (const [key, slot] of this.slots) {
      if (now - slot.writtenAt < this.ttlMs) break;
      this.slots.delete(key);
      this.held -= size(key, slot.value);
    }
  }

  private live(key: string): Slot | undefined {
    this.assertOpen();
    const slot = this.slots.get(key);
    if (slot && this.ttlMs && this.clock.now() - slot.writtenAt >= this.ttlMs) {
      this.slots.delete(key);
      if (this.limits.maxBytes !== undefined) this.held -= size(key, slot.value);
      return undefined;
    }
    return slot;
  }

  private assertOpen(): void {
    if (this.removed) throw new NotFoundError('bucket', this.bucket);
  }
}

/** What a slot takes against `maxBytes`: its key and value (a marker: its key). */
function size(key: string, value: Uint8Array | null): number {
  return key.length + (value?.length ?? 0);
}
