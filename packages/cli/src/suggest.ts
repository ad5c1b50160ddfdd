/** "Did you mean ...?": the nearest known name to a mistyped one. */

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[y.length]!;
}

/** Close enough to suggest: within 3 edits (and fewer than the name's length), or one is a prefix of the other. */
const MAX_DISTANCE = 3;

/** The known name nearest to `name`, if one is close enough. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of known) {
    if (candidate === name) continue;
    const d = distance(name, candidate);
    const lower = name.toLowerCase();
    const prefix = lower.length >= 2 && (candidate.toLowerCase().startsWith(lower) || lower.startsWith(candidate.toLowerCase()));
    if (!prefix && (d > MAX_DISTANCE || d >= name.length)) continue;
    const score = prefix ? Math.min(d, 1) : d;
    if (!best || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(name: string, known: readonly string[], quote = '"'): string {
  const match = nearest(name, known);
  return match === undefined ? '' : ` (did you mean ${quote}${match}${quote}?)`;
}
