/**
 * Whether `value`, encoded as JSON, would take more than `limit` bytes,
 * without encoding it: a walk that stops as soon as its running count
 * passes the limit, so a huge value (a mapping that yields ten million
 * numbers) costs about `limit` steps and no allocation, and a small one
 * costs one walk. Strings count one byte per UTF-16 unit plus quotes, so
 * escapes and non-ASCII text are under-counted: the bound is a guard against
 * the runaway case, and the transport still refuses whatever slips past.
 */
export function jsonBytesOver(value: unknown, limit: number): boolean {
  let bytes = 0;
  // Iterative: a deeply nested value must not overflow the stack.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number') bytes += Number.isInteger(v) && Math.abs(v) < 1e15 ? digits(v) : String(v).length;
    else if (v === null || typeof v === 'boolean') bytes += 5;
    else if (Array.isArray(v)) {
      bytes += 1 + v.length; // brackets and commas
      for (let i = v.length - 1; i >= 0 && bytes <= limit; i--) stack.push(v[i]);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      bytes += 1 + entries.length;
      for (const [k, child] of entries) {
        if (child === undefined) continue;
        bytes += k.length + 3; // quotes and colon
        stack.push(child);
      }
    }
    if (bytes > limit) return true;
  }
  return false;
}

/** Characters of an integer's decimal form (sign included). */
function digits(n: number): number {
  let count = n < 0 ? 2 : 1;
  for (let x = Math.abs(n); x >= 10; x = Math.floor(x / 10)) count++;
  return count;
}
