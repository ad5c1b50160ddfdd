/** The human tasks inbox: open tasks (filter by assignee or workflow), due times, escalation levels, approve or reject. */
import type { HumanTask } from '../api/types.ts';
import { query } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { HumanDecision } from '../components/HumanDecision.tsx';
import { Link } from '../components/Link.tsx';
import { LiveDot } from '../components/LiveDot.tsx';
import { relative, shortId, time } from '../format.ts';
import { useApi, useLiveRefresh } from '../hooks.ts';
import { navigate } from '../router.ts';

export function HumanTasksPage({ search }: { search: URLSearchParams }) {
  const assignee = search.get('assignee') ?? '';
  const workflow = search.get('workflow') ?? '';
  const tasks = useApi<{ tasks: HumanTask[] }>(`/v1/human-tasks${query({ assignee, workflow })}`);
  const live = useLiveRefresh(workflow ? { workflow } : {}, tasks.reload);
  return (
    <>
      <header className="page-head">
        <h1>Human tasks</h1>
        <LiveDot connected={live} />
      </header>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          navigate(
            `/human-tasks${query({ assignee: String(form.get('assignee') ?? ''), workflow: String(form.get('workflow') ?? '') })}`,
            true,
          );
        }}
      >
        <input name="assignee" defaultValue={assignee} placeholder="assignee" />
        <input name="workflow" defaultValue={workflow} placeholder="workflow" />
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={tasks.error} />
      <table className="table" data-testid="human-tasks-table">
        <thead>
          <tr>
            <th>task</th>
            <th>assignee</th>
            <th>execution</th>
            <th>waiting since</th>
            <th>due</th>
            <th>escalation</th>
            <th>decision</th>
          </tr>
        </thead>
        <tbody>
          {tasks.data?.tasks.map((t) => {
            const overdue = t.dueAt !== undefined && t.dueAt < Date.now();
            return (
              <tr key={`${t.executionId}/${t.step}`} data-testid={`task-${t.executionId}-${t.step}`}>
                <td className="task-cell">
                  <b>{t.title ?? t.step}</b>
                  <div className="muted small mono">
                    {t.workflow} · {t.step}
                  </div>
                </td>
                <td>{t.assignee}</td>
                <td className="mono">
                  <Link to={`/executions/${encodeURIComponent(t.executionId)}`}>
                    <span title={t.executionId}>{shortId(t.executionId)}</span>
                  </Link>
                </td>
                <td>{time(t.startedAt)}</td>
                <td className={overdue ? 'err' : ''}>
                  {time(t.dueAt)}
                  {t.dueAt && <div className="muted small">{relative(t.dueAt)}</div>}
                </td>
                <td>
                  level {t.escalationLevel}
                  {t.nextEscalationAt && <div className="muted small">next {relative(t.nextEscalationAt)}</div>}
                </td>
                <td>
                  <HumanDecision executionId={t.executionId} step={t.step} onDone={tasks.reload} />
                </td>
              </tr>
            );
          })}
          {tasks.data?.tasks.length === 0 && (
            <tr>
              <td colSpan={7} className="muted center">
                no open human tasks
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
