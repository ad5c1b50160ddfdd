/** Schedules: every schedule with its next run and last outcome; pause, resume, delete. */
import type { ScheduleView } from '../api/types.ts';
import { act } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Link } from '../components/Link.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useAct } from '../components/use-act.ts';
import { relative, time } from '../format.ts';
import { useApi, useAuth } from '../hooks.ts';

const when = (s: ScheduleView): string =>
  s.cron ? `cron ${s.cron} (${s.timezone})` : s.every !== undefined ? `every ${s.every}` : `at ${time(s.at)}`;

export function SchedulesPage() {
  const schedules = useApi<{ schedules: ScheduleView[] }>('/v1/schedules');
  const { readOnly } = useAuth();
  const { error, busy, run, clear } = useAct(schedules.reload);
  const path = (id: string) => `/v1/schedules/${encodeURIComponent(id)}`;
  return (
    <>
      <header className="page-head">
        <h1>Schedules</h1>
      </header>
      <ErrorBox error={schedules.error} />
      <ErrorBox error={error} onDismiss={clear} />
      {readOnly && <div className="hint">This token lacks the admin scope: actions are disabled.</div>}
      <table className="table" data-testid="schedules-table">
        <thead>
          <tr>
            <th>id</th>
            <th>workflow</th>
            <th>when</th>
            <th>state</th>
            <th>next</th>
            <th>last</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {schedules.data?.schedules.map((s) => (
            <tr key={s.id} data-testid={`schedule-${s.id}`}>
              <td className="mono">{s.id}</td>
              <td>
                <Link to={`/workflows/${encodeURIComponent(s.workflow)}`}>{s.workflow}</Link>
              </td>
              <td className="mono">{when(s)}</td>
              <td>
                <StatusBadge status={s.state} />
              </td>
              <td>{s.nextAt ? `${time(s.nextAt)} (${relative(s.nextAt)})` : '—'}</td>
              <td>
                {s.lastOutcome ? (
                  <>
                    {s.lastOutcome.result} {relative(s.lastOutcome.at)}{' '}
                    {s.lastOutcome.executionId && <Link to={`/executions/${s.lastOutcome.executionId}`}>{s.lastOutcome.executionId}</Link>}
                    {s.lastOutcome.error && <span className="err"> {s.lastOutcome.error.code}</span>}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <div className="row end">
                  {s.state === 'active' && (
                    <button disabled={busy || readOnly} onClick={() => run(() => act('POST', `${path(s.id)}/pause`, {}))}>
                      Pause
                    </button>
                  )}
                  {s.state === 'paused' && (
                    <button disabled={busy || readOnly} onClick={() => run(() => act('POST', `${path(s.id)}/resume`, {}))}>
                      Resume
                    </button>
                  )}
                  <button className="danger" disabled={busy || readOnly} onClick={() => run(() => act('DELETE', path(s.id)))}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
          {schedules.data?.schedules.length === 0 && (
            <tr>
              <td colSpan={7} className="muted center">
                no schedules (create one with <span className="mono">squadflow schedules create</span> or POST /v1/schedules)
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
