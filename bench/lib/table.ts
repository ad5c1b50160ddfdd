/** Plain-text tables for the terminal (and Markdown tables for BENCHMARKS.md). */

export type Cell = string | number;

function text(c: Cell): string {
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return 'n/a';
  return Math.abs(c) >= 100 ? Math.round(c).toLocaleString('en-US') : String(Math.round(c * 100) / 100);
}

export function formatTable(title: string, head: string[], rows: Cell[][]): string {
  const cells = [head, ...rows.map((r) => r.map(text))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`\n${title}`, line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n') + '\n';
}

export function printTable(title: string, head: string[], rows: Cell[][]): void {
  process.stdout.write(formatTable(title, head, rows));
}

export function markdownTable(head: string[], rows: Cell[][]): string {
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) out.push(`| ${r.map(text).join(' | ')} |`);
  return out.join('\n');
}

/** `x` as a multiple of `floor`, e.g. `0.42×`. */
export function ratio(x: number, floor: number | undefined): string {
  if (floor === undefined || !Number.isFinite(x) || !Number.isFinite(floor) || floor === 0) return 'n/a';
  return `${(x / floor).toFixed(2)}×`;
}
