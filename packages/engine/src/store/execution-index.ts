import {
  decodeToken,
  encodeToken,
  EXECUTION_STATUSES,
  isTerminal,
  partitionOf,
  PARTITIONS,
  type ExecutionStatus,
  type Logger,
} from '@squadflow/shared';
import { KvConflictError, kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';
import { CreationLog } from './creation-log.ts';
import { EndedCounts, type EndedCount } from './ended-counts.ts';
import type { ExecutionRecord } from './execution-record.ts';
import type { ExecutionWriteHook } from './execution-store.ts';

/** An active key's value: the execution's creation time, which listing sorts by (not in the key: it is the same key whatever a writer stamped). */
const ActiveSchema = z.object({ at: z.number() });
/** Set once the records that predate the creation logs and counts were added to them. */
const BACKFILLED = 'backfilled-logs';
const STATUSES = new Set<string>(EXECUTION_STATUSES);
/** The statuses an execution can leave: the ones with a key per execution. */
export const ACTIVE_STATUSES: readonly ExecutionStatus[] = EXECUTION_STATUSES.filter((s) => !isTerminal(s));

/**
 * Where an execution's creation entries are (`x.<execution id>`): the one writer that logged it, and what retention
 * forgets. `p`: the partition whose logs hold them; absent in markers of the version before partitioned logs (the
 * un-partitioned logs, still read as one more source: see `logSources`).
 */
const LoggedSchema = z.object({
  all: z.number().int(),
  wf: z.number().int(),
  p: z
    .number()
    .int()
    .min(0)
    .max(PARTITIONS - 1)
    .optional(),
});
type Logged = z.output<typeof LoggedSchema>;

/** One key of an active execution: what listing filters and sorts by, without reading the record. */
export interface IndexEntry {
  key: string;
  status: ExecutionStatus;
  /** As encoded in the key (`encodeToken`). */
  workflow: string;
  createdAt: number;
  executionId: string;
}

/** How the index reads a record when two active keys of one execution disagree. */
export type RecordReader = (executionId: string) => Promise<ExecutionRecord | null>;

/** Executions that have not ended, by status and workflow (decoded). */
export type ActiveCounts = Array<{ status: ExecutionStatus; workflow: string; count: number }>;

/**
 * The listing index of executions, three parts in two buckets, none of
 * which is read whole by a listing or a scrape (issue 13, part 4):
 *
 * - **Active keys** (bucket `<p>_exec_idx`), one per execution that has not ended:
 *   `<status>.<workflow>.<execution id>`, the creation time as value. Listing an active status and counting the active
 *   executions list these keys: what is in flight, not what is stored. An
 *   execution that ends loses its key with `forget` (no delete marker: a
 *   marker would stay in every later listing on NATS 2.9).
 * - **Creation logs** (`CreationLog`, bucket `<p>_exec_log`, read by
 *   point reads only): `log.p<k>` for every execution and `wlog.<workflow>.p<k>` per
 *   workflow, one per partition `k` (one writer each in steady state: the replica holding the partition), in
 *   creation order, and `x.<execution id>`, where its entries are. Listing without a status filter, or with an end
 *   status, merges a name's logs from their heads, with the un-partitioned `log` / `wlog.<workflow>` of the version
 *   before as one more source (no longer appended to; emptied by retention).
 * - **Ended counts** (`EndedCounts`, `<p>_exec_idx`): stored ended executions per end
 *   status and workflow, for metrics.
 *
 * Kept by the execution store's hook. A new active key and a creation
 * entry are written before the record (write-ahead: never missing, maybe
 * extra); the previous active key is forgotten, and the `x.<id>` marker of
 * the creation entries written, after it, off the critical path.
 * So the index may hold extra keys (a write that lost its compare-and-set,
 * a crash before the forget, a writer that did not read the record it
 * replaced): listings check each key or entry against its record and skip
 * those that disagree; the retention sweeper forgets every key of an
 * execution when it leaves and trims the logs. Records written before this
 * layout are added by `backfill`.
 */
export class ExecutionIndex implements ExecutionWriteHook {
  readonly ended: EndedCounts;
  private readonly logs = new Map<string, CreationLog>();
  private readonly logged: KvRecords<Logged>;
  private readonly active: KvRecords<z.output<typeof ActiveSchema>>;
  /** The creation entries written ahead for a record being created, until its create is written or lost (keyed by the record object). */
  private readonly ahead = new WeakMap<ExecutionRecord, Promise<Logged>>();
  /** Markers being written after their records (`settleAhead`): retention and `settled` wait for them. */
  private readonly settling = new Set<Promise<void>>();

  constructor(
    readonly kv: KvStore,
    /** The creation logs' bucket: point reads only, so its size costs no listing (listings of `kv` stay small). */
    private readonly logKv: KvStore,
    private readonly logger?: Logger,
    private readonly read: RecordReader = async () => null,
  ) {
    this.ended = new EndedCounts(kv, logger);
    this.logged = kvRecords(logKv, LoggedSchema);
    this.active = kvRecords(kv, ActiveSchema);
  }

  async before(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if (previous === null) {
      const appended = this.append(next);
      this.ahead.set(next, appended);
      writes.push(appended);
    }
    if (!isTerminal(next.status) && (!previous || keyOf(previous) !== keyOf(next)))
      writes.push(this.active.put(keyOf(next), { at: next.createdAt }));
    await Promise.all(writes);
  }

  after(next: ExecutionRecord, previous: ExecutionRecord | null | undefined): void {
    // An end is counted once: on the write that moved the record into it. A writer that did not read the record
    // it replaced (`previous` undefined) is the start's failure path, which replaces a pending record.
    if (isTerminal(next.status) && (!previous || !isTerminal(previous.status))) this.ended.add(next.status, next.workflow, 1);
    // A completed child asked to compensate runs again (docs/child-workflows.md), and an operator's rewind (retry
    // from a step) takes an ended execution back: its first end no longer counts.
    if (previous && isTerminal(previous.status) && !isTerminal(next.status)) this.ended.add(previous.status, previous.workflow, -1);
    if (previous === null) {
      this.settle(next, true);
      return;
    }
    // A writer that did not read the record it replaced: any other active key of the execution is stale.
    if (previous === undefined) void this.forgetOthers(next);
    else if (!isTerminal(previous.status) && keyOf(previous) !== keyOf(next)) this.forget(keyOf(previous));
  }

  /**
   * A record written ahead for was not written: its active key is stale
   * unless the stored record has that key too (read once, on this rare path).
   */
  lost(next: ExecutionRecord): void {
    this.settle(next, false);
    if (isTerminal(next.status)) return;
    void (async () => {
      const current = await this.read(next.executionId);
      if (!current || keyOf(current) !== keyOf(next)) this.forget(keyOf(next));
    })().catch((err: unknown) =>
      this.logger?.warn({ err, executionId: next.executionId }, 'execution index: a lost write was not cleaned'),
    );
  }

  /** Forgets every key of an execution that left the hot store, takes it off the ended counts and trims the logs. */
  async removed(record: ExecutionRecord): Promise<void> {
    // A marker still being written (the record was created a moment ago) is read once it is there.
    await Promise.all([...this.settling]);
    // `*.*.*.<id>`: the keys of the layout before the creation logs (their creation time was a token).
    const keys = (await Promise.all([this.kv.keys(`*.*.${record.executionId}`), this.kv.keys(`*.*.*.${record.executionId}`)])).flat();
    for (const key of keys) if (isActiveKey(key)) await this.kv.forget(key);
    if (isTerminal(record.status)) this.ended.add(record.status, record.workflow, -1);
    const logged = await this.logged.get(`x.${record.executionId}`);
    const p = logged ? logged.value.p : partitionOf(record.executionId);
    if (logged) {
      await Promise.all([this.log(undefined, p).forget(logged.value.all), this.log(record.workflow, p).forget(logged.value.wf)]);
      await this.logKv.forget(`x.${record.executionId}`);
    }
    await Promise.all([this.log(undefined, p).trim(), this.log(record.workflow, p).trim()]);
  }

  /**
   * Appends a new execution to both creation logs of its partition
   * (write-ahead: before its record is created). One log per partition: the
   * replica holding the partition creates its executions, so each log has one
   * writer in steady state and its appends never race for a slot (issue 15).
   */
  private async append(record: ExecutionRecord): Promise<Logged> {
    const p = partitionOf(record.executionId);
    const [all, wf] = await Promise.all([
      this.log(undefined, p).append(record.executionId, record.createdAt),
      this.log(record.workflow, p).append(record.executionId, record.createdAt),
    ]);
    return { all, wf, p };
  }

  /**
   * After the create the entries were written ahead for: the writer whose
   * record create won records where its entries are (`x.<id>`, off the
   * critical path: the record's compare-and-set already chose the one
   * writer, so the marker need not be written before it); a writer whose
   * create lost marks its entries repeats. A crash in between leaves a
   * repeat unmarked (a page lists an execution once) or entries without a
   * marker (listed; left in the log by retention), as a crash between the
   * entries and the record always could.
   */
  private settle(record: ExecutionRecord, written: boolean): void {
    const appended = this.ahead.get(record);
    if (!appended) return;
    this.ahead.delete(record);
    const settling = this.settleAhead(record, appended, written).finally(() => this.settling.delete(settling));
    this.settling.add(settling);
  }

  private async settleAhead(record: ExecutionRecord, appended: Promise<Logged>, written: boolean): Promise<void> {
    try {
      const seqs = await appended;
      if (!written || !(await this.mark(record, seqs))) await this.markRepeats(record, seqs);
    } catch (err) {
      this.logger?.warn({ err, executionId: record.executionId }, 'execution index: creation entries not settled');
    }
  }

  /** Records where the execution's entries are; false when another writer had (its entries stand, these are repeats). */
  private async mark(record: ExecutionRecord, seqs: Logged): Promise<boolean> {
    try {
      await this.logged.create(`x.${record.executionId}`, seqs);
      return true;
    } catch (err) {
      if (err instanceof KvConflictError) return false;
      throw err;
    }
  }

  /** Marked, not forgotten: an empty slot would stop the head probe short of the entries appended after it. */
  private async markRepeats(record: ExecutionRecord, seqs: Logged): Promise<void> {
    // Best effort: a repeat left unmarked is listed once anyway (pages drop repeats).
    await Promise.all([this.log(undefined, seqs.p).markRepeat(seqs.all), this.log(record.workflow, seqs.p).markRepeat(seqs.wf)]).catch(
      (e: unknown) =>
        this.logger?.warn({ err: e, executionId: record.executionId }, 'execution index: a repeat creation entry was not marked'),
    );
  }

  /** Appends an execution to both creation logs and records where (backfill: no record is created after). */
  private async logOnce(record: ExecutionRecord): Promise<void> {
    const seqs = await this.append(record);
    if (!(await this.mark(record, seqs))) await this.markRepeats(record, seqs);
  }

  /**
   * Resolves once what this process wrote in the background has been
   * written: creation markers, head hints, ended counts (tests, and a
   * graceful stop, so the next reader's head probe starts at the head).
   */
  async settled(): Promise<void> {
    await this.settledMarkers();
    await Promise.all([this.ended.settled(), ...[...this.logs.values()].map((log) => log.settled())]);
  }

  private async settledMarkers(): Promise<void> {
    while (this.settling.size) await Promise.all([...this.settling]);
  }

  /**
   * The creation log of every execution, or of one workflow's, of one
   * partition (`<name>.p<k>`); without a partition, the un-partitioned log
   * the version before wrote (read, trimmed and forgotten from, no longer appended to).
   */
  log(workflow?: string, partition?: number): CreationLog {
    const base = workflow === undefined ? 'log' : `wlog.${encodeToken(workflow)}`;
    const name = partition === undefined ? base : `${base}.p${partition}`;
    let log = this.logs.get(name);
    if (!log) this.logs.set(name, (log = new CreationLog(this.logKv, name, this.logger)));
    return log;
  }

  /**
   * Every log a listing merges for `workflow` (or for every execution): one
   * per partition, then the un-partitioned one of the version before (its
   * executions are still listed; empty in a deployment that began with
   * partitioned logs, which costs a listing a head and a tail read).
   */
  logSources(workflow?: string): CreationLog[] {
    return [...Array.from({ length: PARTITIONS }, (_, p) => this.log(workflow, p)), this.log(workflow)];
  }

  /** Whether `entry` says what `record` says (a stale key does not). */
  static agrees(entry: IndexEntry, record: ExecutionRecord): boolean {
    return keyOf(record) === entry.key;
  }

  /**
   * The active keys of the given statuses (every active status by default)
   * and workflow, newest first (creation time, then id, descending). One
   * filtered listing per status: it costs the executions in flight.
   */
  async entries(filter: { statuses?: ReadonlySet<ExecutionStatus>; workflow?: string } = {}): Promise<IndexEntry[]> {
    const wf = filter.workflow === undefined ? '*' : encodeToken(filter.workflow);
    const statuses = [...(filter.statuses ?? ACTIVE_STATUSES)].filter((s) => !isTerminal(s));
    const found = (await Promise.all(statuses.map((s) => this.active.entries(`${s}.${wf}.*`)))).flat();
    return found
      .map((r) => parse(r.key, r.value.at))
      .filter((e): e is IndexEntry => e !== undefined)
      .sort((a, b) => b.createdAt - a.createdAt || (a.executionId < b.executionId ? 1 : a.executionId > b.executionId ? -1 : 0));
  }

  /**
   * Executions in flight by status and workflow, each execution once. Where
   * a crash or a race left an execution two keys, its record decides (a
   * record read per such execution, none otherwise); an execution whose
   * record has ended or is gone is not counted.
   */
  async activeCounts(): Promise<ActiveCounts> {
    const byExecution = new Map<string, IndexEntry[]>();
    for (const e of await this.entries()) byExecution.set(e.executionId, [...(byExecution.get(e.executionId) ?? []), e]);
    const counts = new Map<string, { status: ExecutionStatus; workflow: string; count: number }>();
    for (const [executionId, keys] of byExecution) {
      let entry: IndexEntry | undefined = keys[0];
      if (keys.length > 1) {
        const record = await this.read(executionId);
        entry = keys.find((k) => record && k.status === record.status);
      }
      if (!entry) continue;
      const id = `${entry.status}.${entry.workflow}`;
      const c = counts.get(id) ?? { status: entry.status, workflow: decodeToken(entry.workflow), count: 0 };
      c.count++;
      counts.set(id, c);
    }
    return [...counts.values()];
  }

  /**
   * Executions by status: the active ones from their keys, the ended ones
   * from the ended counts. Keys of the executions in flight and one counter
   * per workflow and end status: no record and no ended execution is read.
   */
  async countByStatus(): Promise<Record<ExecutionStatus, number>> {
    const counts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
    const [active, ended] = await Promise.all([this.activeCounts(), this.ended.all()]);
    for (const c of [...active, ...ended]) counts[c.status] += c.count;
    return counts;
  }

  /**
   * Adds the records written before this layout: their creation entries
   * (oldest first), their active keys and the ended counts. One scan of the
   * records, once per deployment (a marker key says it was done). Returns
   * the records indexed.
   */
  async backfill(records: () => Promise<ExecutionRecord[]>): Promise<number> {
    if (await this.logKv.get(BACKFILLED)) return 0;
    const all = (await records()).sort((a, b) => a.createdAt - b.createdAt);
    const ended = new Map<string, EndedCount>();
    for (const r of all) {
      if (!(await this.logged.get(`x.${r.executionId}`))) await this.logOnce(r);
      if (!isTerminal(r.status)) await this.active.put(keyOf(r), { at: r.createdAt });
      else {
        const id = `${r.status}.${r.workflow}`;
        ended.set(id, { status: r.status, workflow: r.workflow, count: (ended.get(id)?.count ?? 0) + 1 });
      }
    }
    await this.ended.set([...ended.values()]);
    await this.logKv.put(BACKFILLED, new TextEncoder().encode('1'));
    return all.length;
  }

  /** Forgets a key in the background (the previous key of a record that moved on). */
  private forget(key: string): void {
    this.kv.forget(key).catch((err: unknown) => this.logger?.warn({ err, key }, 'execution index: a stale key was not forgotten'));
  }

  private async forgetOthers(record: ExecutionRecord): Promise<void> {
    const current = keyOf(record);
    try {
      for (const key of await this.kv.keys(`*.*.${record.executionId}`)) if (key !== current && isActiveKey(key)) this.forget(key);
    } catch (err) {
      this.logger?.warn({ err, executionId: record.executionId }, 'execution index: stale keys not looked up');
    }
  }
}

export function keyOf(record: Pick<ExecutionRecord, 'status' | 'workflow' | 'executionId'>): string {
  return `${record.status}.${encodeToken(record.workflow)}.${record.executionId}`;
}

function parse(key: string, createdAt: number): IndexEntry | undefined {
  const [status, workflow, executionId, ...rest] = key.split('.');
  if (rest.length || !status || !STATUSES.has(status) || isTerminal(status) || !workflow || !executionId) return undefined;
  return { key, status: status as ExecutionStatus, workflow, createdAt, executionId };
}

/** An active key, of this layout or of the one before (`<status>.<workflow>.<inverted time>.<id>`). */
function isActiveKey(key: string): boolean {
  const tokens = key.split('.');
  return (tokens.length === 3 || tokens.length === 4) && STATUSES.has(tokens[0]!);
}
