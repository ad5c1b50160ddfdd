/** Executions: a filtered, paged table that follows the lifecycle stream (the visible page is refetched on each event). */
import { useEffect, useState } from 'react';
import type { ExecutionPage, ExecutionView, WorkflowSummary } from '../api/types.ts';
import { EXECUTION_STATUSES } from '../api/types.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Link } from '../components/Link.tsx';
import { LiveDot } from '../components/LiveDot.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { duration, time } from '../format.ts';
import { useApi, useLiveRefresh } from '../hooks.ts';
import { navigate } from '../router.ts';
import { apiQuery, filtersFrom, pageQuery, type ExecutionFilters } from './executions-query.ts';

const ACTIVE_STEP = new Set(['running', 'backoff', 'waiting', 'delayed', 'escalated', 'paused', 'compensating', 'evaluating']);

/** The steps an execution is on now (running, waiting, …), for the "current step" column. */
const currentSteps = (e: ExecutionView): string =>
  e.steps
    .filter((s) => ACTIVE_STEP.has(s.status))
    .map((s) => s.name)
    .join(', ');

export function ExecutionsPage({ search }: { search: URLSearchParams }) {
  const filters = filtersFrom(search);
  const [cursors, setCursors] = useState<string[]>([]);
  const page = useApi<ExecutionPage>(`/v1/executions${apiQuery(filters)}`);
  const workflows = useApi<{ workflows: WorkflowSummary[] }>('/v1/workflows');
  const live = useLiveRefresh(filters.workflow ? { workflow: filters.workflow } : {}, page.reload);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const go = (next: Partial<ExecutionFilters>, keepCursor = false) => {
    if (!keepCursor) setCursors([]);
    navigate(`/executions${pageQuery({ ...filters, cursor: '', ...next })}`, true);
  };
  const toggleStatus = (status: string) =>
    go({ status: filters.status.includes(status) ? filters.status.filter((s) => s !== status) : [...filters.status, status] });

  return (
    <>
      <header className="page-head">
        <h1>Executions</h1>
        <LiveDot connected={live} />
      </header>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          go({ q: String(new FormData(event.currentTarget).get('q') ?? '') });
        }}
      >
        <select aria-label="workflow" value={filters.workflow} onChange={(e) => go({ workflow: e.target.value })}>
          <option value="">all workflows</option>
          {workflows.data?.workflows.map((w) => (
            <option key={w.name} value={w.name}>
              {w.name}
            </option>
          ))}
        </select>
        <label>
          from <input type="datetime-local" aria-label="since" value={filters.since} onChange={(e) => go({ since: e.target.value })} />
        </label>
        <label>
          to <input type="datetime-local" aria-label="until" value={filters.until} onChange={(e) => go({ until: e.target.value })} />
        </label>
        <input name="q" key={filters.q} defaultValue={filters.q} placeholder="search id or correlation key" className="grow" />
        <button type="submit">Search</button>
        <div className="status-filter">
          {EXECUTION_STATUSES.map((status) => (
            <button
              type="button"
              key={status}
              className={`chip ${filters.status.includes(status) ? `badge badge-${status}` : ''}`}
              aria-pressed={filters.status.includes(status)}
              onClick={() => toggleStatus(status)}
            >
              {status}
            </button>
          ))}
        </div>
      </form>
      <ErrorBox error={page.error} />
      <table className="table" data-testid="executions-table">
        <thead>
          <tr>
            <th>id</th>
            <th>workflow</th>
            <th>status</th>
            <th>started</th>
            <th>duration</th>
            <th>current step</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.executions.map((e) => (
            <tr key={e.executionId} data-testid={`row-${e.executionId}`}>
              <td className="mono">
                <Link to={`/executions/${encodeURIComponent(e.executionId)}`}>{e.executionId}</Link>
              </td>
              <td>
                {e.workflow}
                {e.version !== undefined && <span className="muted"> v{e.version}</span>}
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>{time(e.createdAt)}</td>
              <td>{duration((e.endedAt ?? Math.max(now, e.updatedAt)) - e.createdAt)}</td>
              <td className="mono">{currentSteps(e)}</td>
            </tr>
          ))}
          {page.data?.executions.length === 0 && (
            <tr>
              <td colSpan={6} className="muted center">
                no executions match
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="pager">
        <button
          disabled={cursors.length === 0}
          onClick={() => {
            const previous = cursors.slice(0, -1);
            setCursors(previous);
            go({ cursor: previous.at(-1) ?? '' }, true);
          }}
        >
          ← newer
        </button>
        <span className="muted">page {cursors.length + 1}</span>
        <button
          disabled={!page.data?.nextCursor}
          onClick={() => {
            setCursors([...cursors, page.data!.nextCursor!]);
            go({ cursor: page.data!.nextCursor! }, true);
          }}
        >
          older →
        </button>
      </div>
    </>
  );
}
