/** Workflows: the registered ones, and for one of them its graph, its versions and its YAML. */
import type { WorkflowSummary } from '../api/types.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Link } from '../components/Link.tsx';
import { useGraph } from '../graph/use-graph.ts';
import { WorkflowGraph } from '../graph/WorkflowGraph.tsx';
import { useApi } from '../hooks.ts';
import { navigate } from '../router.ts';

interface Versions {
  versions: Array<{ version: number; registeredAt?: number; createdAt?: number; description?: string }>;
}

function WorkflowDetail({ name, version }: { name: string; version?: number }) {
  const path = encodeURIComponent(name);
  const versions = useApi<Versions | number[]>(`/v1/workflows/${path}/versions`);
  const yaml = useApi<string>(`/v1/workflows/${path}?format=yaml${version ? `&version=${version}` : ''}`);
  const { graph, error } = useGraph(name, version);
  const list = Array.isArray(versions.data) ? versions.data.map((v) => ({ version: v })) : (versions.data?.versions ?? []);
  return (
    <div className="detail">
      <header className="page-head">
        <h2>
          {name} {graph && <span className="muted">v{graph.version}</span>}
        </h2>
        <Link to={`/insights/${path}`}>insights →</Link>
        <Link to={`/executions?workflow=${path}`}>executions →</Link>
      </header>
      {list.length > 0 && (
        <div className="row versions" data-testid="versions">
          versions:
          {list.map((v) => (
            <button
              key={v.version}
              className={`chip ${v.version === (version ?? graph?.version) ? 'selected' : ''}`}
              onClick={() => navigate(`/workflows/${path}?version=${v.version}`)}
            >
              v{v.version}
            </button>
          ))}
        </div>
      )}
      <ErrorBox error={versions.error?.code === 'ROUTE_NOT_FOUND' ? undefined : versions.error} />
      <section className="panel graph-panel">
        <ErrorBox error={error} />
        {graph && <WorkflowGraph graph={graph} />}
      </section>
      <section className="panel">
        <h3>YAML</h3>
        <ErrorBox error={yaml.error} />
        {typeof yaml.data === 'string' ? (
          <pre className="code">{yaml.data}</pre>
        ) : (
          yaml.data && <pre className="code">{JSON.stringify(yaml.data, null, 2)}</pre>
        )}
      </section>
    </div>
  );
}

export function WorkflowsPage({ name, search }: { name?: string; search: URLSearchParams }) {
  const version = Number(search.get('version')) || undefined;
  // One workflow takes the whole width: its graph needs it.
  if (name) {
    return (
      <>
        <header className="page-head">
          <Link to="/workflows">← Workflows</Link>
        </header>
        <WorkflowDetail key={`${name}@${version ?? ''}`} name={name} version={version} />
      </>
    );
  }
  return <WorkflowList />;
}

function WorkflowList() {
  const workflows = useApi<{ workflows: WorkflowSummary[] }>('/v1/workflows');
  return (
    <>
      <header className="page-head">
        <h1>Workflows</h1>
      </header>
      <ErrorBox error={workflows.error} />
      <table className="table" data-testid="workflows-table">
        <thead>
          <tr>
            <th>name</th>
            <th>version</th>
            <th>steps</th>
            <th>description</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {workflows.data?.workflows.map((w) => (
            <tr key={w.name}>
              <td>
                <Link to={`/workflows/${encodeURIComponent(w.name)}`}>{w.name}</Link>
              </td>
              <td>v{w.version}</td>
              <td>{w.steps}</td>
              <td className="muted">{w.description}</td>
              <td className="nowrap">
                <Link to={`/executions?workflow=${encodeURIComponent(w.name)}`}>executions</Link> ·{' '}
                <Link to={`/insights/${encodeURIComponent(w.name)}`}>insights</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
