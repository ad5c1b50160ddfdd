import type { ExecutionRecord } from '../store/execution-record.ts';
import type { EngineStores } from '../store/open-stores.ts';
import type { CreationLog, LogEntry } from '../store/creation-log.ts';
import type { PageQuery } from './execution-listing.ts';

/**
 * How far a creation entry may be older than its neighbours' order says:
 * writers on different machines stamp creation times with their own
 * clocks. A `since` walk stops at the first entry older than `since` by
 * more than this.
 */
const CLOCK_SKEW_MS = 60_000;
/** Entries read at once when a status filter may skip many (the page's own need otherwise, plus a few). */
const FILTERED_BATCH = 32;

/** One creation log being merged: entries read ahead (newest first), the next seq to read, and where the log ends. */
interface Source {
  log: CreationLog;
  ahead: LogEntry[];
  /** The next seq to read below what is in `ahead`. */
  next: number;
  tail: number;
}

/**
 * A page walked down the creation logs (one per partition, and the
 * un-partitioned one of the version before: `ExecutionIndex.logSources`)
 * from their heads, or from a cursor's positions: a k-way merge, newest
 * first by creation time then id (the order of every other listing), each
 * log read in batches a little ahead, then the records of the entries
 * merged, kept when they match the page's filter. The walk reads what the
 * page needs, plus a head and a tail per log and the entries a status
 * filter skips: O(page + logs) without one, O(page / share of that status
 * among the newest executions) with one. A text search (`q`) is judged on
 * the entry's id before its record is read, but the entries it skips are
 * read: rare matches walk far.
 * Within a log the page keeps the log's order (two writers of one
 * partition may log two executions created in the same moment either way);
 * `positions` is where each log's next page starts (absent once every log is
 * exhausted), so pages join into one list in which every execution comes
 * once, whatever the page size.
 */
export async function walkCreationLog(
  stores: Pick<EngineStores, 'index' | 'executions'>,
  q: PageQuery,
): Promise<{ records: ExecutionRecord[]; positions?: number[] }> {
  const logs = stores.index.logSources(q.workflow);
  const from = q.after?.positions?.length === logs.length ? q.after.positions : undefined;
  const sources: Source[] = await Promise.all(
    logs.map(async (log, i) => {
      const [head, tail] = await Promise.all([from ? from[i]! : log.head(), log.tail()]);
      return { log, ahead: [], next: head, tail };
    }),
  );
  const page: ExecutionRecord[] = [];
  const seen = new Set<string>();
  let exhausted = false;
  /** Entries merged but not looked at (the page filled up first): the next page starts at them. */
  let left: Array<{ entry: LogEntry; source: number }> = [];
  while (page.length < q.limit && !exhausted) {
    const want = q.limit - page.length;
    const merged: Array<{ entry: LogEntry; source: number }> = [];
    const size = q.statuses ? Math.max(want + 4, FILTERED_BATCH) : want + 4;
    while (merged.length < size) {
      await fill(sources, Math.max(2, Math.ceil(size / logs.length)));
      const i = newest(sources);
      if (i === -1) break;
      merged.push({ entry: sources[i]!.ahead.shift()!, source: i });
    }
    if (!merged.length) break;
    const records = await readRecords(
      stores,
      merged.map((m) => m.entry).filter((e) => !seen.has(e.executionId) && mayMatch(e, q)),
    );
    for (const [k, { entry }] of merged.entries()) {
      if (page.length === q.limit) {
        left = merged.slice(k);
        break;
      }
      if (q.since !== undefined && entry.createdAt < q.since - CLOCK_SKEW_MS) {
        exhausted = true; // the newest entry left in any log is older than the page's range
        break;
      }
      const record = records.get(entry.executionId);
      if (!record || seen.has(record.executionId) || !matches(record, q)) continue;
      seen.add(record.executionId);
      page.push(record);
    }
    if (merged.length < size) break; // every log read to its tail
  }
  // Where each log's next page starts: its newest entry not looked at, else the next slot not read (read slots were empty).
  const positions = sources.map((s, i) =>
    Math.max(s.next, s.ahead[0]?.seq ?? 0, ...left.filter((m) => m.source === i).map((m) => m.entry.seq)),
  );
  const more = !exhausted && sources.some((s, i) => positions[i]! >= s.tail);
  return { records: page, ...(more ? { positions } : {}) };
}

/**
 * Reads ahead, `batch` slots at a time (empty slots skipped), once a log
 * with entries left has nothing read ahead: in it, and in the same round
 * trip in every other log running low (each refill alone would cost a
 * round trip of its own as the logs run dry one after another).
 */
async function fill(sources: Source[], batch: number): Promise<void> {
  const left = (s: Source): boolean => s.next >= s.tail;
  if (!sources.some((s) => !s.ahead.length && left(s))) return;
  await Promise.all(
    sources.map(async (s) => {
      if (s.ahead.length * 2 >= batch || !left(s)) return;
      const had = s.ahead.length;
      while (s.ahead.length === had && left(s)) {
        const seqs = Array.from({ length: Math.min(batch, s.next - s.tail + 1) }, (_, i) => s.next - i);
        s.next -= seqs.length;
        s.ahead.push(...(await s.log.read(seqs)).sort((a, b) => b.seq - a.seq));
      }
    }),
  );
}

/** The source whose next entry is the newest (creation time, then id, descending); -1 when every log is exhausted. */
function newest(sources: Source[]): number {
  let best = -1;
  for (const [i, s] of sources.entries()) {
    const e = s.ahead[0];
    if (!e) continue;
    const b = sources[best]?.ahead[0];
    if (!b || e.createdAt > b.createdAt || (e.createdAt === b.createdAt && e.executionId > b.executionId)) best = i;
  }
  return best;
}

/** The records of `entries`, by execution id (read concurrently; a record gone is left out). */
async function readRecords(stores: Pick<EngineStores, 'executions'>, entries: LogEntry[]): Promise<Map<string, ExecutionRecord>> {
  const read = await Promise.all(entries.map((e) => stores.executions.read(e.executionId)));
  return new Map(read.flatMap((r) => (r ? [[r.record.executionId, r.record] as const] : [])));
}

/** Whether the entry can be on the page at all, judged by its id (text search) and creation time (the record decides the rest). */
function mayMatch(e: LogEntry, q: PageQuery): boolean {
  return (
    (!q.matches || q.matches(e.executionId)) &&
    (q.since === undefined || e.createdAt >= q.since - CLOCK_SKEW_MS) &&
    (q.until === undefined || e.createdAt < q.until + CLOCK_SKEW_MS)
  );
}

/** The record matches the page's filter; with an old cursor (no log positions), only what sorts after it. */
function matches(r: ExecutionRecord, q: PageQuery): boolean {
  const { after } = q;
  return (
    (q.workflow === undefined || r.workflow === q.workflow) &&
    (!q.statuses || q.statuses.has(r.status)) &&
    (q.since === undefined || r.createdAt >= q.since) &&
    (q.until === undefined || r.createdAt < q.until) &&
    (after?.positions !== undefined ||
      !after ||
      r.createdAt < after.createdAt ||
      (r.createdAt === after.createdAt && r.executionId < after.executionId))
  );
}
