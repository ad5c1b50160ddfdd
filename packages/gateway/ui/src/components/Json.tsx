/** JSON as the API gave it (the server already redacted secrets), folded when long. */
export function Json({ value, label }: { value: unknown; label?: string }) {
  if (value === undefined) return null;
  const text = JSON.stringify(value, null, 2);
  const long = text.length > 400;
  return (
    <details className="json" open={!long}>
      <summary>
        {label ?? 'json'} {long && <span className="muted">({text.length} chars)</span>}
      </summary>
      <pre>{text}</pre>
    </details>
  );
}
