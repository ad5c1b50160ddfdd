/**
 * One execution: its workflow's graph coloured with each step's live state,
 * the operator's acts, and the step timeline. `GET /v1/executions/{id}` is
 * the source of truth: each lifecycle event of this execution refetches it
 * (debounced), which also shows the next step running after its predecessor
 * completed (there is no step.started event).
 */
import { useEffect, useMemo, useState } from 'react';
import type { ExecutionView } from '../api/types.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ExecutionActions } from '../components/ExecutionActions.tsx';
import { Json } from '../components/Json.tsx';
import { Link } from '../components/Link.tsx';
import { LiveDot } from '../components/LiveDot.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Timeline } from '../components/Timeline.tsx';
import { duration, time } from '../format.ts';
import { useGraph } from '../graph/use-graph.ts';
import { WorkflowGraph } from '../graph/WorkflowGraph.tsx';
import { useApi, useLiveRefresh } from '../hooks.ts';

const ENDED = new Set(['completed', 'failed', 'compensated', 'cancelled']);
/** While the stream is down (reconnecting), a slow poll keeps the page from going stale. */
const FALLBACK_POLL_MS = 3_000;

export function ExecutionPage({ id }: { id: string }) {
  const execution = useApi<ExecutionView>(`/v1/executions/${encodeURIComponent(id)}`);
  const e = execution.data;
  const { graph, error: graphError } = useGraph(e?.workflow, e?.version);
  const live = useLiveRefresh({ execution: id }, execution.reload);
  const ended = e ? ENDED.has(e.status) : false;
  const keys = useMemo(() => new Map((e?.waits ?? []).filter((w) => w.purpose === 'wait').map((w) => [w.step, w.key])), [e?.waits]);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (ended) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [ended]);
  useEffect(() => {
    if (live || ended) return;
    const timer = setInterval(execution.reload, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, ended, execution.reload]);

  if (!e) return execution.error ? <ErrorBox error={execution.error} /> : <div className="muted">loading…</div>;
  return (
    <>
      <header className="page-head">
        <h1 className="mono">{e.executionId}</h1>
        <StatusBadge status={e.status} />
        <LiveDot connected={live} />
      </header>
      <div className="facts">
        <span>
          workflow{' '}
          <Link to={`/workflows/${encodeURIComponent(e.workflow)}`}>
            {e.workflow}
            {e.version !== undefined && ` v${e.version}`}
          </Link>
        </span>
        <span>started {time(e.createdAt)}</span>
        <span>{e.endedAt ? `ended ${time(e.endedAt)}` : `updated ${time(e.updatedAt)}`}</span>
        <span>duration {duration((e.endedAt ?? Math.max(now, e.updatedAt)) - e.createdAt)}</span>
        {e.idempotencyKey && <span className="mono">key {e.idempotencyKey}</span>}
        {e.archived && <span className="badge">archived</span>}
      </div>
      <ErrorBox error={execution.error} />
      {e.error && (
        <div className="error-box">
          <strong className="mono">{e.error.code}</strong> {e.error.message}
        </div>
      )}
      {e.cancelReason && <div className="muted">cancelled: {e.cancelReason}</div>}
      <section className="panel">
        <ExecutionActions execution={e} graph={graph} onDone={execution.reload} />
      </section>
      <section className="panel graph-panel">
        <ErrorBox error={graphError} />
        {graph ? (
          <WorkflowGraph graph={graph} steps={e.steps} ended={ended} keys={keys} />
        ) : (
          !graphError && <div className="muted pad">loading graph…</div>
        )}
      </section>
      <section className="panel">
        <h2>Steps</h2>
        <Timeline execution={e} now={now} />
      </section>
      <section className="panel two">
        <Json value={e.context} label="context" />
        <Json value={e.output} label="output" />
      </section>
    </>
  );
}
