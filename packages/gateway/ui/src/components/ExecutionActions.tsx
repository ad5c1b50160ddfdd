/**
 * The operator's acts on one execution, each shown only when it applies:
 * cancel and pause while it runs, resume while paused, a signal while a step
 * waits, retry / skip / abort while escalated (naming the escalation's
 * target), approve / reject a waiting human step, and "retry from" a
 * completed step of a failed or escalated execution. Without the admin scope
 * they are disabled with a hint.
 */
import { useState } from 'react';
import { act, ApiError } from '../api/client.ts';
import type { ExecutionView, WorkflowGraph } from '../api/types.ts';
import { useAuth } from '../hooks.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { HumanDecision } from './HumanDecision.tsx';
import { fillKey } from './signal-key.ts';
import { useAct } from './use-act.ts';

const ENDED = new Set(['completed', 'failed', 'compensated', 'cancelled']);

export function ExecutionActions({ execution, graph, onDone }: { execution: ExecutionView; graph?: WorkflowGraph; onDone: () => void }) {
  const { readOnly } = useAuth();
  const { error, busy, run, clear } = useAct(onDone);
  const [reason, setReason] = useState('');
  const id = encodeURIComponent(execution.executionId);
  const nodes = new Map((graph?.nodes ?? []).map((n) => [n.id, n]));
  const waiting = execution.steps.filter((s) => s.status === 'waiting');
  const humans = waiting.filter((s) => nodes.get(s.name)?.type === 'human' || nodes.get(s.name)?.human);
  // Human steps are decided with approve / reject below; a signal is for the other waits.
  const waits = waiting.filter((s) => !humans.includes(s));
  // The keys the execution waits on, resolved by the engine; else the step's template, filled here.
  const resolved = (execution.waits ?? []).filter((w) => w.purpose === 'wait' && waits.some((s) => s.name === w.step)).map((w) => w.key);
  const templates = waits.map((s) => nodes.get(s.name)?.wait?.signal).filter((k): k is string => Boolean(k));
  const signalKeys = resolved.length > 0 ? resolved : templates.map((t) => fillKey(t, execution));
  const escalatedStep = execution.escalation?.step ?? execution.steps.find((s) => s.status === 'escalated')?.name;
  const escalationActions = execution.escalation?.actions ?? (['retry', 'skip', 'abort'] as const);
  const escalationTarget = execution.escalation?.target ?? execution.steps.find((s) => s.name === escalatedStep)?.escalationTarget;
  const [signalKey, setSignalKey] = useState('');
  const [signalData, setSignalData] = useState('{}');
  const ended = ENDED.has(execution.status);
  const disabled = busy || readOnly;

  const retryFrom = (
    <RetryFromStep
      execution={execution}
      disabled={disabled}
      onRetry={(fromStep) => run(() => act('POST', `/v1/executions/${id}/retry`, { fromStep }))}
    />
  );
  if (ended) {
    if (execution.status !== 'failed' || execution.archived) return <div className="muted">ended: no actions apply</div>;
    return (
      <div className="actions" data-testid="actions">
        {readOnly && <div className="hint">This token lacks the admin scope: give an admin token to act.</div>}
        {retryFrom}
        <ErrorBox error={error} onDismiss={clear} />
      </div>
    );
  }
  const sendSignal = () =>
    run(async () => {
      let data: unknown;
      try {
        data = JSON.parse(signalData || '{}');
      } catch {
        throw new ApiError(0, 'INVALID_JSON', 'the signal data is not JSON', [{ path: 'data', message: 'not JSON' }]);
      }
      await act('POST', `/v1/signals/${encodeURIComponent((signalKey || signalKeys[0]) ?? '')}`, data);
    });
  return (
    <div className="actions" data-testid="actions">
      {readOnly && <div className="hint">This token lacks the admin scope: give an admin token to act.</div>}
      <div className="row">
        <input placeholder="reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} aria-label="reason" />
        {execution.status === 'paused' ? (
          <button disabled={disabled} onClick={() => run(() => act('POST', `/v1/executions/${id}/resume`, {}))}>
            Resume
          </button>
        ) : (
          <button disabled={disabled} onClick={() => run(() => act('POST', `/v1/executions/${id}/pause`, reason ? { reason } : {}))}>
            Pause
          </button>
        )}
        <button
          className="danger"
          disabled={disabled}
          onClick={() => run(() => act('POST', `/v1/executions/${id}/cancel`, reason ? { reason } : {}))}
        >
          Cancel execution
        </button>
      </div>
      {escalatedStep && execution.status === 'escalated' && (
        <div className="row">
          <span>
            escalated at <b className="mono">{escalatedStep}</b>
            {escalationTarget && (
              <>
                {' '}
                to <b data-testid="escalation-target">{escalationTarget}</b>
              </>
            )}
            :
          </span>
          {escalationActions.map((action) => (
            <button
              key={action}
              className={action === 'abort' ? 'danger' : ''}
              disabled={disabled}
              onClick={() => run(() => act('POST', `/v1/executions/${id}/escalation`, { action, step: escalatedStep }))}
            >
              {action}
            </button>
          ))}
        </div>
      )}
      {execution.status === 'escalated' && retryFrom}
      {humans.map((step) => (
        <div className="row" key={step.name}>
          <span>
            human task <b className="mono">{step.name}</b>
            {nodes.get(step.name)?.human?.assignee && <span className="muted"> for {nodes.get(step.name)?.human?.assignee}</span>}:
          </span>
          <HumanDecision executionId={execution.executionId} step={step.name} onDone={onDone} />
        </div>
      ))}
      {waits.length > 0 && (
        <div className="row">
          <input
            className="mono"
            aria-label="signal key"
            placeholder={signalKeys[0] ?? 'signal key'}
            value={signalKey}
            onChange={(e) => setSignalKey(e.target.value)}
          />
          <input className="mono grow" aria-label="signal data" value={signalData} onChange={(e) => setSignalData(e.target.value)} />
          <button disabled={disabled || !(signalKey || signalKeys[0])} onClick={sendSignal}>
            Send signal
          </button>
        </div>
      )}
      <ErrorBox error={error} onDismiss={clear} />
    </div>
  );
}

/** "Retry from <step>": a completed step of a failed or escalated execution; it and every step after it run again. */
function RetryFromStep({
  execution,
  disabled,
  onRetry,
}: {
  execution: ExecutionView;
  disabled: boolean;
  onRetry: (fromStep: string) => void;
}) {
  const completed = execution.steps.filter((s) => s.status === 'completed').map((s) => s.name);
  const [fromStep, setFromStep] = useState('');
  if (!completed.length) return null;
  const chosen = fromStep || completed[completed.length - 1]!;
  return (
    <div className="row">
      <span>run again from</span>
      <select aria-label="retry from step" className="mono" value={chosen} onChange={(e) => setFromStep(e.target.value)}>
        {completed.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <button disabled={disabled} onClick={() => onRetry(chosen)}>
        Retry from step
      </button>
    </div>
  );
}
