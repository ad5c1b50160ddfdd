/** Insights per workflow (GET /v1/workflows/{name}/insights): percentiles, outcomes, errors by code, throughput, critical path, retries, advice. */
import type { Insights, WorkflowSummary } from '../api/types.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { ThroughputChart } from '../components/ThroughputChart.tsx';
import { duration, percent, time } from '../format.ts';
import { useApi } from '../hooks.ts';
import { navigate } from '../router.ts';

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <div className="figure-value">{value}</div>
      <div className="figure-label">{label}</div>
    </div>
  );
}

function Report({ insights: i }: { insights: Insights }) {
  const steps = [...i.steps].sort((a, b) => b.criticalShare - a.criticalShare || b.p95Ms - a.p95Ms);
  const retried = i.steps.filter((s) => s.retried > 0).sort((a, b) => b.retried - a.retried);
  return (
    <>
      <div className="muted">
        {i.sampled} executions sampled ({i.ended} ended){i.window && `, created ${time(i.window.from)} – ${time(i.window.to)}`}
      </div>
      <div className="figures" data-testid="percentiles">
        <Figure label="p50" value={duration(i.durations?.p50Ms)} testId="p50" />
        <Figure label="p95" value={duration(i.durations?.p95Ms)} testId="p95" />
        <Figure label="p99" value={duration(i.durations?.p99Ms)} testId="p99" />
        <Figure label="success rate" value={percent(i.successRate)} />
      </div>
      <div className="grid2">
        <section className="panel">
          <h3>Outcomes</h3>
          <div className="row wrap">
            {Object.entries(i.byStatus).map(([status, count]) => (
              <span key={status}>
                <StatusBadge status={status} /> {count}
              </span>
            ))}
          </div>
          <h3>Errors by code</h3>
          {i.errors.length === 0 ? (
            <div className="muted">none</div>
          ) : (
            <table className="table compact">
              <tbody>
                {i.errors.map((e) => (
                  <tr key={e.code}>
                    <td className="mono">{e.code}</td>
                    <td>{e.count}</td>
                    <td>{percent(i.ended ? e.count / i.ended : null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h3>Throughput</h3>
          <ThroughputChart buckets={i.throughput} />
          <div className="legend">
            <span className="legend-item">
              <span className="swatch" style={{ background: '#3b82f6' }} /> started
            </span>
            <span className="legend-item">
              <span className="swatch" style={{ background: '#10b981' }} /> ended
            </span>
          </div>
        </section>
      </div>
      <section className="panel">
        <h3>Critical path</h3>
        <div className="path mono">{i.criticalPath.length ? i.criticalPath.join(' → ') : '—'}</div>
        <table className="table compact" data-testid="insight-steps">
          <thead>
            <tr>
              <th>step</th>
              <th>p50</th>
              <th>p95</th>
              <th>p99</th>
              <th>on critical path</th>
              <th>share of duration</th>
              <th>retried</th>
              <th>retries that succeed</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((s) => (
              <tr key={s.step}>
                <td className="mono">
                  {s.step}
                  {s.action && <span className="muted"> ({s.action})</span>}
                </td>
                <td>{duration(s.p50Ms)}</td>
                <td>{duration(s.p95Ms)}</td>
                <td>{duration(s.p99Ms)}</td>
                <td>
                  <div className="share">
                    <div style={{ width: `${s.criticalShare * 100}%` }} />
                  </div>
                  {percent(s.criticalShare)}
                </td>
                <td>{percent(s.meanShareOfDuration)}</td>
                <td className={retried.includes(s) ? 'warn' : ''}>{s.retried}</td>
                <td>{percent(s.retrySuccessRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h3>Advice</h3>
        {i.advice.length === 0 ? (
          <div className="muted">nothing to advise on this sample</div>
        ) : (
          <ul className="advice" data-testid="advice">
            {i.advice.map((a) => (
              <li key={`${a.kind}-${a.step}`}>
                <span className={`badge advice-${a.kind}`}>{a.kind}</span> <span className="mono">{a.step}</span>: {a.message}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function InsightsPage({ name }: { name?: string }) {
  const workflows = useApi<{ workflows: WorkflowSummary[] }>('/v1/workflows');
  const insights = useApi<Insights>(name ? `/v1/workflows/${encodeURIComponent(name)}/insights` : null);
  return (
    <>
      <header className="page-head">
        <h1>Insights</h1>
        <select aria-label="workflow" value={name ?? ''} onChange={(e) => navigate(`/insights/${encodeURIComponent(e.target.value)}`)}>
          <option value="" disabled>
            choose a workflow
          </option>
          {workflows.data?.workflows.map((w) => (
            <option key={w.name} value={w.name}>
              {w.name}
            </option>
          ))}
        </select>
        {name && <button onClick={insights.reload}>Refresh</button>}
      </header>
      <ErrorBox error={workflows.error ?? insights.error} />
      {name && insights.data && <Report insights={insights.data} />}
    </>
  );
}
