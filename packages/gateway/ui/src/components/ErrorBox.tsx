/** An API error as the operator needs it: the code, the message and each field at fault. */
import type { ApiError } from '../api/client.ts';

export function ErrorBox({ error, onDismiss }: { error: ApiError | undefined; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <strong className="mono">{error.code}</strong> {error.message}
      {error.issues.length > 0 && (
        <ul>
          {error.issues.map((issue) => (
            <li key={issue.path + issue.message}>
              <span className="mono">{issue.path || '(body)'}</span>: {issue.message}
            </li>
          ))}
        </ul>
      )}
      {onDismiss && (
        <button className="link" onClick={onDismiss}>
          dismiss
        </button>
      )}
    </div>
  );
}
