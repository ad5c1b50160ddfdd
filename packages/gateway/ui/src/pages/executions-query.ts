/** The executions list's filters as they live in the page's URL (so a filtered view can be shared and survives a reload). */
import { query } from '../api/query.ts';

export interface ExecutionFilters {
  workflow: string;
  status: string[];
  /** datetime-local values (the browser's time zone). */
  since: string;
  until: string;
  q: string;
  cursor: string;
}

export const PAGE_SIZE = 25;

export function filtersFrom(search: URLSearchParams): ExecutionFilters {
  return {
    workflow: search.get('workflow') ?? '',
    status: (search.get('status') ?? '').split(',').filter(Boolean),
    since: search.get('since') ?? '',
    until: search.get('until') ?? '',
    q: search.get('q') ?? '',
    cursor: search.get('cursor') ?? '',
  };
}

const epoch = (local: string): number | undefined => (local ? new Date(local).getTime() : undefined);

/** The page's own query string (`?workflow=…`). */
export const pageQuery = (f: ExecutionFilters): string =>
  query({ workflow: f.workflow, status: f.status.join(','), since: f.since, until: f.until, q: f.q, cursor: f.cursor });

/** The API's: the time range as epoch ms. */
export const apiQuery = (f: ExecutionFilters): string =>
  query({
    workflow: f.workflow,
    status: f.status.join(','),
    since: epoch(f.since),
    until: epoch(f.until),
    q: f.q,
    cursor: f.cursor,
    limit: PAGE_SIZE,
  });
