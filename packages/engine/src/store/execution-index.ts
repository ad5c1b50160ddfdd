import { encodeToken, EXECUTION_STATUSES, isTerminal, type ExecutionStatus, type Logger } from '@squadflow/shared';
import type { KvStore } from '@squadflow/transport';
import type { ExecutionRecord } from './execution-record.ts';
import type { ExecutionWriteHook } from './execution-store.ts';

/** Creation times up to this (year 2286) fit the fixed width; the key holds `MAX - createdAt` so newer sorts first. */
const MAX_TIME = 9_999_999_999_999;
const TIME_DIGITS = 13;
const MARK = new TextEncoder().encode('1');
/** Set once the records that predate the index were added to it. */
const BACKFILLED = 'backfilled';
const STATUSES = new Set<string>(EXECUTION_STATUSES);

/** One entry of the index: what listing filters and sorts by, without reading the record. */
export interface IndexEntry {
  key: string;
  status: ExecutionStatus;
  /** As encoded in the key (`encodeToken`). */
  workflow: string;
  createdAt: number;
  executionId: string;
}

/**
 * The listing index of executions (`<p>_exec_idx`): one key per execution,
 * `<status>.<workflow>.<inverted creation time, 13 digits>.<execution id>`,
 * with a one-byte value. Listing asks the bucket for the keys of a status
 * and workflow (a subject filter, applied by the server) and reads only the
 * records of the page; metrics count keys. No execution record is scanned.
 *
 * Kept by the execution store's hook: the new key is written before the
 * record (write-ahead), the old one deleted after, off the critical path. So
 * the index may hold extra keys (a write that lost its compare-and-set, a
 * crash before the delete, a writer that did not read the record it
 * replaced), never miss the current one. Readers check each key against its
 * record and skip the keys that disagree (they do not delete them: a key
 * that disagrees may be the write-ahead of a write in flight); the
 * retention sweeper deletes every key of an execution when it leaves, so a
 * stale key lasts at most as long as its execution. Records written before
 * the index existed are added by `backfill`.
 */
export class ExecutionIndex implements ExecutionWriteHook {
  constructor(
    readonly kv: KvStore,
    private readonly logger?: Logger,
  ) {}

  async before(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): Promise<void> {
    if (previous && keyOf(previous) === keyOf(next)) return;
    await this.kv.put(keyOf(next), MARK);
  }

  after(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): void {
    if (!previous || keyOf(previous) === keyOf(next)) return;
    this.drop(keyOf(previous));
  }

  /** Forgets every key of an execution that left the hot store. */
  async removed(record: ExecutionRecord): Promise<void> {
    for (const key of await this.kv.keys(`*.*.*.${record.executionId}`)) await this.kv.delete(key);
  }

  /** Deletes a key in the background (the previous key of a record that moved on). */
  private drop(key: string): void {
    this.kv.delete(key).catch((err: unknown) => this.logger?.warn({ err, key }, 'execution index: a stale key was not deleted'));
  }

  /** Whether `entry` says what `record` says (a stale key does not). */
  static agrees(entry: IndexEntry, record: ExecutionRecord): boolean {
    return keyOf(record) === entry.key;
  }

  /**
   * The entries of the given statuses (all by default) and workflow, newest
   * first (creation time, then id, descending). Keys only: one filtered
   * listing per status asked for, or one for all.
   */
  async entries(filter: { statuses?: ReadonlySet<ExecutionStatus>; workflow?: string } = {}): Promise<IndexEntry[]> {
    const wf = filter.workflow === undefined ? '*' : encodeToken(filter.workflow);
    const filters = filter.statuses ? [...filter.statuses].map((s) => `${s}.${wf}.*.*`) : [`*.${wf}.*.*`];
    const keys = (await Promise.all(filters.map((f) => this.kv.keys(f)))).flat();
    return keys
      .map(parse)
      .filter((e): e is IndexEntry => e !== undefined)
      .sort((a, b) => b.createdAt - a.createdAt || (a.executionId < b.executionId ? 1 : a.executionId > b.executionId ? -1 : 0));
  }

  /**
   * Executions by status, counting each execution once: where a crash left
   * it two keys, an ended status wins over an active one, and anything over
   * `pending` (the order a record moves in).
   */
  async countByStatus(): Promise<Record<ExecutionStatus, number>> {
    const best = new Map<string, ExecutionStatus>();
    for (const e of await this.entries()) {
      const seen = best.get(e.executionId);
      if (!seen || rank(e.status) > rank(seen)) best.set(e.executionId, e.status);
    }
    const counts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
    for (const status of best.values()) counts[status]++;
    return counts;
  }

  /**
   * Adds the keys of records written before the index existed: one scan of
   * the records, once per deployment (a marker key, which no listing
   * filter matches, says it was done). Returns the records indexed.
   */
  async backfill(records: () => Promise<ExecutionRecord[]>): Promise<number> {
    if (await this.kv.get(BACKFILLED)) return 0;
    const all = await records();
    for (const record of all) await this.kv.put(keyOf(record), MARK);
    await this.kv.put(BACKFILLED, MARK);
    return all.length;
  }
}

export function keyOf(record: ExecutionRecord): string {
  return `${record.status}.${encodeToken(record.workflow)}.${String(MAX_TIME - record.createdAt).padStart(TIME_DIGITS, '0')}.${record.executionId}`;
}

function parse(key: string): IndexEntry | undefined {
  const [status, workflow, inverted, executionId, ...rest] = key.split('.');
  if (rest.length || !status || !STATUSES.has(status) || !workflow || !inverted || !executionId) return undefined;
  return { key, status: status as ExecutionStatus, workflow, createdAt: MAX_TIME - Number(inverted), executionId };
}

const rank = (status: ExecutionStatus): number => (isTerminal(status) ? 2 : status === 'pending' ? 0 : 1);
