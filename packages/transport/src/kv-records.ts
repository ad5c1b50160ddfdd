/**
 * One schema-checked record type per KV bucket (or key range), and the one
 * bounded compare-and-set loop every store uses instead of its own
 * `for (;;)`. Values are stored as `JSON.stringify` in UTF-8, the format the
 * stores wrote by hand, so existing entries read back unchanged.
 */
import { toFieldIssues } from '@squadflow/shared';
import type { z } from 'zod';
import { KvContentionError, KvRecordError } from './kv-record-errors.ts';
import { KvConflictError, type KvEntry, type KvStore } from './ports.ts';

/**
 * Compare-and-set attempts before `mutate` gives up. Each lost attempt means
 * another writer succeeded, so a limit this size is only reached under a
 * pile-up of writers on one key, never in steady state.
 */
export const DEFAULT_MAX_ATTEMPTS = 20;

/** Returned by a `mutate` function: delete the key, if it is still at the revision the function saw (compare-and-delete). */
export const DELETE_RECORD: unique symbol = Symbol('squadflow.kv.delete');

/** One decoded, validated record and the revision it was stored at. */
export interface KvRecord<T> {
  key: string;
  value: T;
  revision: number;
}

/** What a `mutate` function decides: the next value, `undefined` to write nothing, or `DELETE_RECORD`. */
export type KvChange<T> = T | undefined | typeof DELETE_RECORD;

/** A `mutate` function: the current value (`null`: absent) and its stored record (for the revision) to a change. */
export type KvMutateFn<T> = (current: T | null, stored: KvRecord<T> | null) => KvChange<T> | Promise<KvChange<T>>;

export interface MutateOptions<T> {
  /** Compare-and-set attempts before `KvContentionError` (default {@link DEFAULT_MAX_ATTEMPTS}). */
  maxAttempts?: number;
  /**
   * The record as the caller already holds it (`null`: known to be absent).
   * The first attempt uses it instead of reading, so a cached copy or a
   * create-first write costs no extra read; a conflict reads afresh.
   */
  initial?: KvRecord<T> | null;
  /** Runs after each lost compare-and-set, before the next read (e.g. to drop a cached copy). */
  onConflict?: (err: KvConflictError, attempt: number) => void;
}

/** The outcome of `mutate`. */
export interface KvMutation<T> {
  /** Whether this call wrote (or deleted) the key. */
  written: boolean;
  /** The record as it now stands: the one written, else the one the function saw; `null` when absent or deleted. */
  record: KvRecord<T> | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A KV bucket read and written as records of one schema. Reads decode JSON
 * and validate; a value that fails throws `KvRecordError` naming the bucket,
 * key and field. Writes are not validated again: the value is typed `T`, and
 * the execution record's hot path should not pay for a second parse.
 */
export class KvRecords<T> {
  constructor(
    readonly kv: KvStore,
    readonly schema: z.ZodType<T>,
  ) {}

  get bucket(): string {
    return this.kv.bucket;
  }

  /** Decodes and validates an entry read through the raw port. */
  decode(entry: KvEntry): KvRecord<T> {
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(entry.value));
    } catch (err) {
      throw new KvRecordError(this.bucket, entry.key, [{ path: '', message: `not JSON (${(err as Error).message})` }], { cause: err });
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) throw new KvRecordError(this.bucket, entry.key, toFieldIssues(parsed.error.issues), { cause: parsed.error });
    return { key: entry.key, value: parsed.data, revision: entry.revision };
  }

  /** The bytes stored for `value`. */
  encode(value: T): Uint8Array {
    return encoder.encode(JSON.stringify(value));
  }

  async get(key: string): Promise<KvRecord<T> | null> {
    const entry = await this.kv.get(key);
    return entry ? this.decode(entry) : null;
  }

  /** Unconditional write; returns the new revision. */
  put(key: string, value: T): Promise<number> {
    return this.kv.put(key, this.encode(value));
  }

  /** Writes only if the key is absent; throws `KvConflictError` otherwise. */
  create(key: string, value: T): Promise<number> {
    return this.kv.create(key, this.encode(value));
  }

  /** Writes only if the key is at `revision`; throws `KvConflictError` otherwise. */
  update(key: string, value: T, revision: number): Promise<number> {
    return this.kv.update(key, this.encode(value), revision);
  }

  /** Deletes the key; with `revision`, only if it is still at that revision (`KvConflictError` otherwise). */
  delete(key: string, options?: { revision?: number }): Promise<void> {
    return this.kv.delete(key, options);
  }

  keys(filter?: string): Promise<string[]> {
    return this.kv.keys(filter);
  }

  /** Every present record whose key matches `filter` (`a.*`, `a.>`), decoded; one scan, no get per key. */
  async entries(filter?: string): Promise<Array<KvRecord<T>>> {
    return (await this.kv.entries(filter)).map((entry) => this.decode(entry));
  }

  /**
   * Read, decide, compare-and-set; a lost compare-and-set reads and decides
   * again, at most `maxAttempts` times in all, then throws
   * `KvContentionError`. `fn` gets the current value (`null`: absent) and its
   * stored record (for the revision), and returns the next value, `undefined`
   * to leave the key as it is, or `DELETE_RECORD`. An absent key is written
   * with `create`, a present one with `update` (or deleted) on the revision read. `fn` may
   * be async and may run several times: keep anything it computes for the
   * caller in variables it overwrites, so the last (winning) run's results
   * are the ones left.
   */
  async mutate(key: string, fn: KvMutateFn<T>, options: MutateOptions<T> = {}): Promise<KvMutation<T>> {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    let stored = options.initial === undefined ? await this.get(key) : options.initial;
    for (let attempt = 1; ; attempt++) {
      const next = await fn(stored ? stored.value : null, stored);
      if (next === undefined) return { written: false, record: stored };
      try {
        if (next === DELETE_RECORD) {
          if (!stored) return { written: false, record: null };
          await this.kv.delete(key, { revision: stored.revision });
          return { written: true, record: null };
        }
        const revision = stored ? await this.update(key, next, stored.revision) : await this.create(key, next);
        return { written: true, record: { key, value: next, revision } };
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
        if (attempt >= maxAttempts) throw new KvContentionError(this.bucket, key, attempt, { cause: err });
        options.onConflict?.(err, attempt);
      }
      stored = await this.get(key);
    }
  }

  /**
   * `mutate` for a decision that also answers the caller: `fn` returns the
   * change and an answer, and this resolves with the answer of the run
   * whose change stood (or that wrote nothing).
   */
  async decide<R>(
    key: string,
    fn: (current: T | null, stored: KvRecord<T> | null) => readonly [KvChange<T>, R] | Promise<readonly [KvChange<T>, R]>,
    options: MutateOptions<T> = {},
  ): Promise<R> {
    let answer!: R;
    await this.mutate(
      key,
      async (current, stored) => {
        const [change, result] = await fn(current, stored);
        answer = result;
        return change;
      },
      options,
    );
    return answer;
  }

  /**
   * Stores `value` unless the key holds a record; returns the stored record
   * and whether this call wrote it (idempotent "create" handlers). Tries the
   * create first, so the usual case costs one write and no read.
   */
  async createOnce(
    key: string,
    value: T,
    options: Pick<MutateOptions<T>, 'maxAttempts'> = {},
  ): Promise<{ created: boolean; record: KvRecord<T> }> {
    const { written, record } = await this.mutate(key, (current) => (current === null ? value : undefined), { ...options, initial: null });
    // Written, or left alone because present: either way `record` is set.
    return { created: written, record: record! };
  }
}

/** Binds a bucket to the schema of its records: `kvRecords(await transport.kv(bucket), ScheduleSchema)`. */
export function kvRecords<S extends z.ZodType>(kv: KvStore, schema: S): KvRecords<z.output<S>> {
  return new KvRecords(kv, schema as unknown as z.ZodType<z.output<S>>);
}
