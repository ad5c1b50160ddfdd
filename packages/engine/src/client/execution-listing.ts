import { isTerminal, type ExecutionStatus } from '@squadflow/shared';
import { decodeCursor, encodeCursor, type PageCursor } from './cursor.ts';
import { toView, type ExecutionView } from './execution-view.ts';
import { walkCreationLog } from './log-walk.ts';
import { ExecutionIndex } from '../store/execution-index.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { EngineStores } from '../store/open-stores.ts';

export interface ListExecutionsFilter {
  workflow?: string;
  status?: ExecutionStatus | ExecutionStatus[];
  /** Created at or after (epoch ms). */
  since?: number;
  /** Created before (epoch ms). */
  until?: number;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** Text search: a part of the execution id, or an exact idempotency or correlation key (see execution-search.ts). */
  q?: string;
}

export interface ExecutionPage {
  executions: ExecutionView[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** What a page is asked for, normalized. */
export interface PageQuery {
  statuses: ReadonlySet<ExecutionStatus> | undefined;
  workflow: string | undefined;
  since: number | undefined;
  until: number | undefined;
  limit: number;
  after: PageCursor | undefined;
  /** Which execution ids the text search (`q`) matches; undefined without one. */
  matches: ((executionId: string) => boolean) | undefined;
}

/**
 * One page of executions (see `EngineClient.pageExecutions`). Only
 * statuses that have not ended asked for: from the active keys (what is in
 * flight). Otherwise: walked from the head of a creation log (the
 * workflow's, when one is asked for), reading the records of the entries
 * walked. Neither reads what is stored beyond the page (docs/metrics.md).
 */
export async function pageExecutions(
  stores: Pick<EngineStores, 'index' | 'executions'>,
  filter: ListExecutionsFilter = {},
  /** Which execution ids `filter.q` matches (resolved by the caller, which has the workflows and the wait index). */
  matches?: (executionId: string) => boolean,
): Promise<ExecutionPage> {
  const query: PageQuery = {
    statuses: filter.status === undefined ? undefined : new Set([filter.status].flat()),
    workflow: filter.workflow,
    since: filter.since,
    until: filter.until,
    limit: Math.min(Math.max(filter.limit ?? 100, 1), 1000),
    after: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
    matches,
  };
  const activeOnly = query.statuses !== undefined && [...query.statuses].every((s) => !isTerminal(s));
  if (activeOnly && query.after?.positions === undefined) return pageActive(stores, query);
  const { records, positions } = await walkCreationLog(stores, query);
  const last = records.at(-1);
  return {
    executions: records.map(toView),
    ...(positions !== undefined && last ? { nextCursor: encodeCursor(last.createdAt, last.executionId, positions) } : {}),
  };
}

/** A page of executions in flight: the active keys of the statuses asked for, then only the page's records. */
async function pageActive(stores: Pick<EngineStores, 'index' | 'executions'>, q: PageQuery): Promise<ExecutionPage> {
  const { statuses, after, limit } = q;
  const candidates = (
    await stores.index.entries({ ...(statuses ? { statuses } : {}), ...(q.workflow ? { workflow: q.workflow } : {}) })
  ).filter(
    (e) =>
      (q.since === undefined || e.createdAt >= q.since) &&
      (q.until === undefined || e.createdAt < q.until) &&
      (!q.matches || q.matches(e.executionId)) &&
      (!after || e.createdAt < after.createdAt || (e.createdAt === after.createdAt && e.executionId < after.executionId)),
  );
  const page: ExecutionRecord[] = [];
  let next = 0;
  while (page.length < limit && next < candidates.length) {
    // Read concurrently, a few more than the page needs in case some keys are stale.
    const batch = candidates.slice(next, next + (limit - page.length) + 4);
    const records = await Promise.all(batch.map((e) => stores.executions.read(e.executionId)));
    for (const [i, entry] of batch.entries()) {
      if (page.length === limit) break;
      next++;
      const record = records[i]?.record;
      // An execution's workflow and creation time never change, only its status: a record whose status moved
      // on between the key read and the record read is still listed when its new status is asked for (its
      // new key was written after the keys were read), once; a key that disagrees otherwise is stale.
      const listed = record && (ExecutionIndex.agrees(entry, record) || !statuses || statuses.has(record.status));
      if (record && listed && !page.some((r) => r.executionId === record.executionId)) page.push(record);
    }
  }
  const last = page.at(-1);
  return {
    executions: page.map(toView),
    ...(next < candidates.length && last ? { nextCursor: encodeCursor(last.createdAt, last.executionId) } : {}),
  };
}
