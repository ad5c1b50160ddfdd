/** Formatting of times, durations and numbers for dense tables. */

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  // Rounded once, then split: 3599.6 s is "1 h 0 min", never "59 min 60 s".
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return seconds % 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds / 60} min`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1_440) return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export function time(at: number | undefined): string {
  if (at === undefined) return '—';
  const d = new Date(at);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** "in 5 min" / "3 s ago". */
export function relative(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return '—';
  const delta = at - now;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

export const percent = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)} %`;

/** `ex_dd0a3764c964…`: enough of an execution id to tell rows apart in a narrow column (the link carries the whole id). */
export const shortId = (id: string): string => (id.length > 18 ? `${id.slice(0, 16)}…` : id);
