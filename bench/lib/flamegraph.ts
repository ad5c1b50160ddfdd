/**
 * A flame graph (SVG) of a V8 .cpuprofile: one box per call-stack frame,
 * as wide as the samples spent in it and below it, callers at the bottom.
 * Idle and `(program)` samples are left out, so the width is the busy CPU.
 * A self-contained file (no script, no dependency): open it in a browser;
 * hovering a box shows the function, its file and its share.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** A frame of the merged call tree: the same function under the same caller is one frame. */
interface Frame {
  name: string;
  where: string;
  total: number;
  children: Map<string, Frame>;
}

const WIDTH = 1600;
const ROW = 17;
/** Frames narrower than this (px) are not drawn: they would be unreadable slivers. */
const MIN_PX = 0.6;
/** Deeper frames are cut: a deep recursion (start-up module loading) would make the picture a thin tower. */
const MAX_DEPTH = 48;
const SKIPPED = new Set(['(idle)', '(program)', '(root)']);

const shortUrl = (url: string): string =>
  url
    .replace(/^file:\/\/.*?\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(packages|bench)\//, '$1/')
    .replace(/^file:\/\//, '');

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Merges the profile's sampled stacks into one call tree of sample counts. */
function callTree(profile: CpuProfile): Frame {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const root: Frame = { name: 'all', where: '', total: 0, children: new Map() };
  for (const [leaf, count] of counts) {
    const stack: ProfileNode[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!);
    stack.reverse();
    const frames = stack.filter((n) => !SKIPPED.has(n.callFrame.functionName) || n.id === leaf);
    if (frames.length && SKIPPED.has(frames[frames.length - 1]!.callFrame.functionName)) continue; // idle time
    root.total += count;
    let at = root;
    for (const n of frames) {
      const name = n.callFrame.functionName || '(anonymous)';
      const where = n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '';
      const key = `${name} ${where}`;
      let child = at.children.get(key);
      if (!child) at.children.set(key, (child = { name, where, total: 0, children: new Map() }));
      child.total += count;
      at = child;
    }
  }
  return root;
}

/** A warm colour per library or package, so the areas read at a glance. */
function colour(where: string): string {
  if (where.includes('xstate')) return '#e8a33d';
  if (where.includes('@nats-io')) return '#6fa8dc';
  if (where.includes('zod')) return '#b4a7d6';
  if (where.startsWith('packages/engine/src/compile')) return '#f6b26b';
  if (where.startsWith('packages/engine')) return '#e06666';
  if (where.startsWith('packages/transport')) return '#93c47d';
  if (where.startsWith('packages/shared')) return '#ffd966';
  if (where.startsWith('node:') || where.startsWith('internal')) return '#cccccc';
  return where ? '#d5a6bd' : '#eeeeee';
}

/** Writes the flame graph of `profileFile` to `svgFile`; returns the busy samples drawn. */
export function writeFlameGraph(profileFile: string, svgFile: string, title: string): number {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const root = callTree(profile);
  const boxes: string[] = [];
  let depth = 0;
  const scale = WIDTH / Math.max(1, root.total);
  const draw = (frame: Frame, x: number, level: number): void => {
    const w = frame.total * scale;
    if (w < MIN_PX || level > MAX_DEPTH) return;
    depth = Math.max(depth, level);
    const pct = ((frame.total / root.total) * 100).toFixed(2);
    const label = w > 40 ? escape(frame.name.slice(0, Math.floor(w / 6.5))) : '';
    boxes.push(
      `<g><title>${escape(`${frame.name} ${frame.where}`.trim())} (${pct}%)</title>` +
        `<rect x="${x.toFixed(1)}" y="@${level}" width="${(w - 0.3).toFixed(1)}" height="${ROW - 1}" fill="${colour(frame.where)}"/>` +
        (label ? `<text x="${(x + 3).toFixed(1)}" y="@${level}t">${label}</text>` : '') +
        `</g>`,
    );
    let cx = x;
    for (const child of [...frame.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      draw(child, cx, level + 1);
      cx += child.total * scale;
    }
  };
  draw(root, 0, 0);
  const top = 30;
  const height = top + (depth + 1) * ROW + 10;
  // Callers at the bottom: level 0 is the last row.
  const yOf = (level: number): number => top + (depth - level) * ROW;
  const body = boxes
    .map((b) =>
      b
        .replace(/y="@(\d+)t"/g, (_, l: string) => `y="${yOf(Number(l)) + 12}"`)
        .replace(/y="@(\d+)"/g, (_, l: string) => `y="${yOf(Number(l))}"`),
    )
    .join('\n');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="monospace" font-size="11">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="4" y="18" font-size="14">${escape(title)} — ${root.total} busy samples; width = share of busy CPU; hover a box for its file</text>
${body}
</svg>
`;
  writeFileSync(svgFile, svg);
  return root.total;
}
