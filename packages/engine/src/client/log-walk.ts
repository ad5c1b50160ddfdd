import type { ExecutionRecord } from '../store/execution-record.ts';
import type { EngineStores } from '../store/open-stores.ts';
import type { LogEntry } from '../store/creation-log.ts';
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

/**
 * A page walked down a creation log from its head (or from a cursor's
 * position): entries in batches read concurrently, then their records,
 * kept when they match the page's filter. The walk reads what the page
 * needs, plus the entries a status filter skips: O(page) without one,
 * O(page / share of that status among the newest executions) with one. A
 * text search (`q`) is judged on the entry's id before its record is read,
 * but the entries it skips are read: rare matches walk far.
 * The page comes newest first in the order the log took them (their
 * creation order); `nextSeq` is where the next page starts, absent once the
 * log is exhausted.
 */
export async function walkCreationLog(
  stores: Pick<EngineStores, 'index' | 'executions'>,
  q: PageQuery,
): Promise<{ records: ExecutionRecord[]; nextSeq?: number }> {
  const log = stores.index.log(q.workflow);
  const [head, tail] = await Promise.all([q.after?.seq !== undefined ? q.after.seq - 1 : log.head(), log.tail()]);
  const page: ExecutionRecord[] = [];
  const seen = new Set<string>();
  let seq = head; // the next seq to consume
  let exhausted = false;
  while (page.length < q.limit && seq >= tail && !exhausted) {
    const want = q.limit - page.length;
    const size = Math.min(seq - tail + 1, q.statuses ? Math.max(want + 4, FILTERED_BATCH) : want + 4);
    const seqs = Array.from({ length: size }, (_, i) => seq - i);
    const entries = new Map((await log.read(seqs)).map((e) => [e.seq, e]));
    const records = await readRecords(
      stores,
      [...entries.values()].filter((e) => !seen.has(e.executionId) && mayMatch(e, q)),
    );
    for (const s of seqs) {
      if (page.length === q.limit) break;
      seq = s - 1;
      const entry = entries.get(s);
      if (!entry) continue;
      if (q.since !== undefined && entry.createdAt < q.since - CLOCK_SKEW_MS) {
        exhausted = true;
        break;
      }
      const record = records.get(entry.executionId);
      if (!record || seen.has(record.executionId) || !matches(record, q)) continue;
      seen.add(record.executionId);
      page.push(record);
    }
  }
  // In log order, not re-sorted by creation time: pages then join into one list in which every execution comes
  // once, whatever the page size (two created in the same moment by different processes may be logged either way).
  return { records: page, ...(seq >= tail && !exhausted ? { nextSeq: seq + 1 } : {}) };
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

/** The record matches the page's filter; with an old cursor (no log position), only what sorts after it. */
function matches(r: ExecutionRecord, q: PageQuery): boolean {
  const { after } = q;
  return (
    (q.workflow === undefined || r.workflow === q.workflow) &&
    (!q.statuses || q.statuses.has(r.status)) &&
    (q.since === undefined || r.createdAt >= q.since) &&
    (q.until === undefined || r.createdAt < q.until) &&
    (after?.seq !== undefined ||
      !after ||
      r.createdAt < after.createdAt ||
      (r.createdAt === after.createdAt && r.executionId < after.executionId))
  );
}
