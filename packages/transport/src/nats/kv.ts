import { PubHeaders, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Empty, headers, type MsgHdrs } from '@nats-io/transport-node';
import { kvStreamName, kvSubjectPrefix, SquadflowError } from '@squadflow/shared';
import { KvConflictError, type KvEntry, type KvStore } from '../ports.ts';
import { KvBucketFullError, NotFoundError, PayloadTooLargeError } from '../errors.ts';
import { validateKey } from '../subject-pattern.ts';
import { isBucketFull, isNoResponders, isWrongLastSequence } from './errors.ts';
import type { PipelinedRequester } from './pipelined-requester.ts';
import { publishAcked } from './pub-ack.ts';

/**
 * A `KvStore` over a JetStream KV bucket (history 1). Compare-and-set
 * failures (JetStream API error 10071 "wrong last sequence", or 10164) become
 * `KvConflictError`; delete and purge markers read as absent.
 *
 * Reads go through the `@nats-io/kv` client. Writes are the same messages
 * its `put`/`create`/`update`/`delete` send (a publish to `$KV.<bucket>.<key>`
 * with the same headers), sent through the connection's `PipelinedRequester`:
 * the client's request path allocates an error and a timer per write.
 */
export class NatsKv implements KvStore {
  /** Subject prefix of writes: `$KV.<bucket>.` for the buckets this adapter creates. */
  private readonly writePrefix: string;

  constructor(
    readonly bucket: string,
    private readonly kv: KV,
    private readonly requester: PipelinedRequester,
    private readonly jsm?: JetStreamManager,
  ) {
    this.writePrefix = writePrefixOf(bucket, kv);
  }

  async get(key: string): Promise<KvEntry | null> {
    validateKey(key);
    const entry = await this.kv.get(key);
    // A deleted or purged key is still a stored message (a marker), not a value.
    if (!entry || entry.operation !== 'PUT') return null;
    return { key, value: entry.value, revision: entry.revision };
  }

  /**
   * As `@nats-io/kv`'s `create`: write expecting no message on the key's
   * subject; when that fails because the key's last message is a delete or
   * purge marker, write again expecting the marker's revision, so
   * create-after-delete works.
   */
  async create(key: string, value: Uint8Array): Promise<number> {
    validateKey(key);
    let conflict: unknown;
    try {
      return await this.write(key, value, EXPECT_NO_MESSAGE);
    } catch (err) {
      if (!isWrongLastSequence(err)) throw this.translate(key, err);
      conflict = err;
    }
    const entry = await this.kv.get(key);
    if (entry?.operation === 'DEL' || entry?.operation === 'PURGE') {
      try {
        return await this.write(key, value, expectRevision(entry.revision));
      } catch (err) {
        throw this.translate(key, err);
      }
    }
    throw new KvConflictError(this.bucket, key, { cause: conflict });
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    validateKey(key);
    if (!(revision > 0)) throw new SquadflowError('INVALID_ARGUMENT', 'revision must be greater than 0');
    try {
      return await this.write(key, value, expectRevision(revision));
    } catch (err) {
      throw this.translate(key, err);
    }
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    validateKey(key);
    try {
      return await this.write(key, value);
    } catch (err) {
      throw this.translate(key, err);
    }
  }

  /**
   * A delete marker (empty payload, `KV-Operation: DEL`), as `@nats-io/kv`'s
   * `delete` of one key writes it; with `revision`, also expecting the key's
   * last sequence, as its `delete(key, { previousSeq })` does.
   */
  async delete(key: string, options?: { revision?: number }): Promise<void> {
    validateKey(key);
    try {
      await this.write(key, Empty, options?.revision === undefined ? DELETE_MARKER : deleteAtRevision(options.revision));
    } catch (err) {
      throw this.translate(key, err);
    }
  }

  /**
   * A purge of the key's subject (`$JS.API.STREAM.PURGE` with a filter):
   * every message of the key goes, marker included, so the subject leaves
   * the stream's subject state that `entries` lists. Without a JetStream
   * manager (never, for buckets this adapter opens) it falls back to a delete.
   */
  async forget(key: string): Promise<void> {
    validateKey(key);
    if (!this.jsm) return this.delete(key);
    try {
      await this.jsm.streams.purge(kvStreamName(this.bucket), { filter: this.writePrefix + key });
    } catch (err) {
      throw this.translate(key, err);
    }
  }

  async keys(filter?: string): Promise<string[]> {
    return (await this.entries(filter)).map((e) => e.key);
  }

  async entries(filter?: string): Promise<KvEntry[]> {
    if (filter !== undefined) validateKey(filter, { filter: true });
    let candidates: string[];
    if (this.jsm) {
      // The client's kv.keys() walks an ordered consumer that, while the bucket
      // is being written, can list a key twice or wait for its idle heartbeat
      // (~30 s). The stream's per-subject counts are one (paged) request instead.
      const prefix = kvSubjectPrefix(this.bucket);
      const info = await this.jsm.streams.info(kvStreamName(this.bucket), { subjects_filter: `${prefix}${filter ?? '>'}` });
      candidates = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
    } else {
      candidates = [];
      for await (const key of await this.kv.keys(filter ?? '>')) candidates.push(key);
    }
    // A deleted key keeps its delete marker as the subject's last message: `get` leaves those out.
    const present: KvEntry[] = [];
    for (let i = 0; i < candidates.length; i += 64) {
      const entries = await Promise.all(candidates.slice(i, i + 64).map((key) => this.get(key)));
      for (const entry of entries) if (entry) present.push(entry);
    }
    return present.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Publishes to the key's subject; resolves with the stream sequence, which is the entry's revision. */
  private async write(key: string, value: Uint8Array, hdrs?: MsgHdrs): Promise<number> {
    return (await publishAcked(this.requester, this.writePrefix + key, value, hdrs)).seq;
  }

  /**
   * A failed compare-and-set becomes `KvConflictError`; no responders means
   * the bucket's stream is gone, which the memory adapter reports as
   * `NotFoundError` (the client used to say "jetstream is not enabled").
   */
  private translate(key: string, err: unknown): unknown {
    if (isWrongLastSequence(err)) return new KvConflictError(this.bucket, key, { cause: err });
    if (isNoResponders(err)) return new NotFoundError('bucket', this.bucket, { cause: err });
    if (isBucketFull(err)) return new KvBucketFullError(this.bucket, key, { cause: err });
    // Named by bucket and key, as the memory adapter does (the subject is an implementation detail).
    if (err instanceof PayloadTooLargeError) return new PayloadTooLargeError(`${this.bucket}/${key}`, err.bytes, err.limit, { cause: err });
    return err;
  }
}

/*
 * Headers that never change are built once: a header object is only read
 * (encoded) when a message is published, so concurrent writes can share it.
 */
const EXPECT_NO_MESSAGE = expectRevision(0);
const DELETE_MARKER = headers();
// `kvOperationHdr` in @nats-io/kv, which does not export it.
DELETE_MARKER.set('KV-Operation', 'DEL');

/** A delete marker stored only if the key's last message has sequence `revision`. */
function deleteAtRevision(revision: number): MsgHdrs {
  const h = expectRevision(revision);
  h.set('KV-Operation', 'DEL');
  return h;
}

/** `Nats-Expected-Last-Subject-Sequence: <revision>`: the server stores the write only if the key's last message has that sequence. */
function expectRevision(revision: number): MsgHdrs {
  const h = headers();
  h.set(PubHeaders.ExpectedLastSubjectSequenceHdr, `${revision}`);
  return h;
}

/**
 * The bucket's write prefix. `@nats-io/kv` writes to `$KV.<bucket>.<key>`
 * unless the bucket mirrors another one or the JetStream API prefix is not
 * the default; its bucket object knows, through a method the `KV` type does
 * not declare, so ask it when it is there and fall back to the default.
 */
function writePrefixOf(bucket: string, kv: KV): string {
  const impl = kv as KV & { subjectForKey?: (key: string, edit?: boolean) => string };
  if (typeof impl.subjectForKey === 'function') {
    const subject = impl.subjectForKey('k', true);
    if (subject.endsWith('.k')) return subject.slice(0, -1);
  }
  return kvSubjectPrefix(bucket);
}
