/** Squads: each squad's instances, actions and request stats (the NATS services API, through the gateway). */
import type { SquadView } from '../api/types.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { duration, percent, relative } from '../format.ts';
import { useApi } from '../hooks.ts';

export function SquadsPage() {
  const squads = useApi<{ squads: SquadView[] }>('/v1/squads');
  return (
    <>
      <header className="page-head">
        <h1>Squads</h1>
        <button onClick={squads.reload}>Refresh</button>
      </header>
      <ErrorBox error={squads.error} />
      <div className="cards" data-testid="squads">
        {squads.data?.squads.map((squad) => (
          <section className="panel card" key={squad.name} data-testid={`squad-${squad.name}`}>
            <header className="card-head">
              <h3>{squad.name}</h3>
              <span className={`badge ${squad.instances.length > 0 ? 'badge-completed' : 'badge-failed'}`}>
                {squad.instances.length} instance{squad.instances.length === 1 ? '' : 's'}
              </span>
            </header>
            <div className="stats">
              <span>
                <b>{squad.stats.requests}</b> requests
              </span>
              <span className={squad.stats.errors > 0 ? 'err' : ''}>
                <b>{squad.stats.errors}</b> errors ({percent(squad.stats.requests ? squad.stats.errors / squad.stats.requests : null)})
              </span>
              <span>{squad.stats.inFlight ?? 0} in flight</span>
              <span>avg {duration(squad.stats.averageProcessingMs)}</span>
            </div>
            {squad.description && <div className="muted small">{squad.description}</div>}
            <table className="table compact fixed">
              <colgroup>
                <col />
                <col style={{ width: 44 }} />
                <col style={{ width: 40 }} />
                <col style={{ width: 58 }} />
              </colgroup>
              <thead>
                <tr>
                  <th>action</th>
                  <th title="requests">req.</th>
                  <th title="errors">err.</th>
                  <th title="average processing time">avg</th>
                </tr>
              </thead>
              <tbody>
                {squad.actions.map((a) => (
                  <tr key={a.name} title={a.description}>
                    <td className="mono ellipsis" title={a.name}>
                      {a.name}
                      {a.compensate && <div className="muted small">undo: {a.compensate}</div>}
                    </td>
                    <td>{a.stats?.requests ?? '—'}</td>
                    <td className={a.stats?.errors ? 'err' : ''}>{a.stats?.errors ?? '—'}</td>
                    <td className="nowrap">{duration(a.stats?.averageProcessingMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {squad.instances.length > 0 && (
              <div className="muted small mono instances" title={squad.instances.map((i) => i.id).join('\n')}>
                {squad.instances
                  .map(
                    (i) =>
                      `${i.id}${i.version ? ` v${i.version}` : ''}${i.startedAt ? ` · up ${relative(i.startedAt).replace(' ago', '')}` : ''}`,
                  )
                  .join('\n')}
              </div>
            )}
          </section>
        ))}
      </div>
    </>
  );
}
