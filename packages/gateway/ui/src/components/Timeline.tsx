/**
 * The steps of an execution in the order they started: a bar on the
 * execution's time axis, then start, end, attempts (with the backoff between
 * them and each error), and the input and output (redacted by the server).
 */
import type { ExecutionView, StepView } from '../api/types.ts';
import { duration, relative, time } from '../format.ts';
import { Json } from './Json.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { nodeState } from '../graph/node-state.ts';

function Attempts({ step }: { step: StepView }) {
  if (step.attempts.length === 0) return <span className="muted">—</span>;
  return (
    <ol className="attempts">
      {step.attempts.map((a, i) => {
        const previous = step.attempts[i - 1];
        const backoff = previous?.endedAt !== undefined ? a.startedAt - previous.endedAt : undefined;
        return (
          <li key={`${a.attempt}-${a.compensation ? 'c' : ''}`}>
            {backoff !== undefined && backoff > 0 && <span className="muted">after {duration(backoff)} backoff · </span>}
            {a.compensation ? 'compensation' : `#${a.attempt}`} <StatusBadge status={a.status} />{' '}
            {a.endedAt !== undefined ? duration(a.endedAt - a.startedAt) : 'in flight'}
            {a.error && (
              <span className="err">
                {' '}
                {a.error.code && <span className="mono">{a.error.code}</span>} {a.error.message}
              </span>
            )}
          </li>
        );
      })}
      {step.nextRetryAt !== undefined && <li className="muted">next attempt {relative(step.nextRetryAt)}</li>}
    </ol>
  );
}

export function Timeline({ execution, now }: { execution: ExecutionView; now: number }) {
  const start = execution.createdAt;
  const end = execution.endedAt ?? Math.max(now, execution.updatedAt);
  const span = Math.max(end - start, 1);
  const steps = [...execution.steps].sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity));
  return (
    <table className="table timeline" data-testid="timeline">
      <thead>
        <tr>
          <th>step</th>
          <th>status</th>
          <th className="bar-col">time ({duration(span)})</th>
          <th>started</th>
          <th>ended</th>
          <th>attempts</th>
          <th>data</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => {
          const from = step.startedAt ?? end;
          const to = step.endedAt ?? (step.startedAt !== undefined ? end : from);
          return (
            <tr key={step.name} data-testid={`timeline-${step.name}`}>
              <td className="mono">{step.name}</td>
              <td>
                <StatusBadge status={step.status} />
                {step.reason && <div className="muted small">{step.reason}</div>}
                {step.outcome && <div className="muted small">by {step.outcome}</div>}
              </td>
              <td className="bar-col">
                {step.startedAt !== undefined && (
                  <div className="bar-track">
                    <div
                      className={`bar state-${nodeState(step.status)}`}
                      style={{ left: `${((from - start) / span) * 100}%`, width: `${Math.max(((to - from) / span) * 100, 0.8)}%` }}
                      title={duration(to - from)}
                    />
                  </div>
                )}
              </td>
              <td>{time(step.startedAt)}</td>
              <td>
                {time(step.endedAt)}
                {step.endedAt !== undefined && step.startedAt !== undefined && (
                  <div className="muted small">{duration(step.endedAt - step.startedAt)}</div>
                )}
              </td>
              <td>
                <Attempts step={step} />
                {step.error && step.error.message !== step.attempts.at(-1)?.error?.message && (
                  <div className="err small">
                    {step.error.code && <span className="mono">{step.error.code}</span>} {step.error.message}
                  </div>
                )}
              </td>
              <td>
                <Json value={step.input} label="input" />
                <Json value={step.output} label="output" />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
