/** Approve or reject a human task, with an optional comment (`POST /v1/human-tasks/{executionId}/{step}`). */
import { useState } from 'react';
import { act } from '../api/client.ts';
import { useAuth } from '../hooks.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { useAct } from './use-act.ts';

export function HumanDecision({ executionId, step, onDone }: { executionId: string; step: string; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const { readOnly } = useAuth();
  const { error, busy, run } = useAct(onDone);
  const decide = (decision: 'approve' | 'reject') =>
    run(() =>
      act('POST', `/v1/human-tasks/${encodeURIComponent(executionId)}/${encodeURIComponent(step)}`, {
        decision,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      }),
    );
  return (
    <div className="decision" data-testid={`decision-${executionId}-${step}`}>
      <input placeholder="comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} aria-label="comment" />
      <button className="ok" disabled={busy || readOnly} onClick={() => decide('approve')}>
        Approve
      </button>
      <button className="danger" disabled={busy || readOnly} onClick={() => decide('reject')}>
        Reject
      </button>
      <ErrorBox error={error} />
    </div>
  );
}
