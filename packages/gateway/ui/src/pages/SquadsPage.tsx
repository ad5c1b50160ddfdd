/** Squads: each squad's instances, actions and request stats (the NATS services API, through the gateway). */
import type { SquadView } from '../api/types.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { duration, percent } from '../format.ts';
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
              <span>avg {duration(squad.stats.averageProcessingMs)}</span>
            </div>
            <ul className="actions-list">
              {squad.actions.map((a) => (
                <li key={a.name}>
                  <span className="mono">{a.name}</span>
                  {a.description && <span className="muted"> — {a.description}</span>}
                </li>
              ))}
            </ul>
            {squad.instances.length > 0 && (
              <div className="muted small mono clamp" title={squad.instances.map((i) => i.id).join('\n')}>
                {squad.instances.map((i) => `${i.id}${i.version ? `@${i.version}` : ''}`).join(', ')}
              </div>
            )}
          </section>
        ))}
      </div>
    </>
  );
}
