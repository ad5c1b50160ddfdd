import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { SquadflowError } from '@squadflow/shared';
import { KvConflictError, type KvEntry, type KvStore } from '../../ports.ts';
import { validateKey } from '../subjects.ts';
import { isWrongLastSequence } from './errors.ts';

/**
 * A `KvStore` over a JetStream KV bucket (history 1). Compare-and-set
 * failures (JetStream API error 10071 "wrong last sequence", or 10164) become
 * `KvConflictError`; delete and purge markers read as absent.
 */
export class NatsKv implements KvStore {
  constructor(
    readonly bucket: string,
    private readonly kv: KV,
    private readonly jsm?: JetStreamManager,
  ) {}

  async get(key: string): Promise<KvEntry | null> {
    validateKey(key);
    const entry = await this.kv.get(key);
    // A deleted or purged key is still a stored message (a marker), not a value.
    if (!entry || entry.operation !== 'PUT') return null;
    return { key, value: entry.value, revision: entry.revision };
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    validateKey(key);
    // The client retries with the marker's revision when the key was deleted, so create-after-delete works.
    return this.cas(key, () => this.kv.create(key, value));
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    validateKey(key);
    if (!(revision > 0)) throw new SquadflowError('INVALID_ARGUMENT', 'revision must be greater than 0');
    return this.cas(key, () => this.kv.update(key, value, revision));
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    validateKey(key);
    return this.kv.put(key, value);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    return this.kv.delete(key);
  }

  async keys(filter?: string): Promise<string[]> {
    if (filter !== undefined) validateKey(filter, { filter: true });
    if (!this.jsm) {
      const out: string[] = [];
      for await (const key of await this.kv.keys(filter ?? '>')) out.push(key);
      return out;
    }
    // The client's kv.keys() walks an ordered consumer that, while the bucket
    // is being written, can list a key twice or wait for its idle heartbeat
    // (~30 s). The stream's per-subject counts are one (paged) request instead.
    const prefix = `$KV.${this.bucket}.`;
    const info = await this.jsm.streams.info(`KV_${this.bucket}`, { subjects_filter: `${prefix}${filter ?? '>'}` });
    const candidates = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
    // A deleted key keeps its delete marker as the subject's last message: leave those out.
    const present: string[] = [];
    for (let i = 0; i < candidates.length; i += 64) {
      const batch = candidates.slice(i, i + 64);
      const entries = await Promise.all(batch.map((key) => this.kv.get(key)));
      entries.forEach((entry, j) => {
        if (entry?.operation === 'PUT') present.push(batch[j]!);
      });
    }
    return present.sort();
  }

  private async cas(key: string, write: () => Promise<number>): Promise<number> {
    try {
      return await write();
    } catch (err) {
      if (isWrongLastSequence(err)) throw new KvConflictError(this.bucket, key, { cause: err });
      throw err;
    }
  }
}
