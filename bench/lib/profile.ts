/**
 * Summarises a V8 .cpuprofile: self time per function (top N), per area
 * (which library or engine part) and per phase of the event loop
 * (profile-phases.ts). Shares come from sample counts, not time deltas: on
 * a busy machine a descheduled process's next sample carries the wait, so
 * deltas would charge whatever ran just before a preemption. Milliseconds
 * are the process's real CPU time (/proc) split by those shares.
 */
import { readFileSync } from 'node:fs';
import { phaseCounts } from './profile-phases.ts';
import { round } from './rss.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  samples: number[];
}

export interface Share {
  name: string;
  pctBusy: number;
  cpuMs: number;
}

export interface ProfileSummary {
  samples: number;
  busySamples: number;
  cpuMs: number;
  top: (Share & { where: string })[];
  areas: Share[];
  phases: Share[];
}

const AREAS: [RegExp, string][] = [
  [/\/xstate\//, 'xstate'],
  [/\/@nats-io\//, 'nats client'],
  [/\/zod\//, 'zod'],
  [/\/pino|\/sonic-boom|thread-stream/, 'logging'],
  [/\/jsonata\//, 'jsonata'],
  [/\/(tsx|esbuild|get-tsconfig)\//, 'tsx (startup compile)'],
  [/packages\/engine\/src\/compile\//, 'engine: compiled machine (actions, guards)'],
  [/packages\/transport\/src\/(nats|memory)\//, 'transport: adapters'],
  [/packages\/transport\/src\//, 'transport: KV records, topology'],
  [/packages\/engine\/src\//, 'engine: loop, effects, timers, stores'],
  [/packages\/shared\/src\//, 'shared: codecs, expressions'],
  [/^node:|^internal\//, 'node internals'],
];

function area(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8/native (program)';
  for (const [re, name] of AREAS) if (re.test(url)) return name;
  return url ? 'other' : 'native (socket writes, JSON, builtins)';
}

const shortUrl = (url: string): string =>
  url
    .replace(/^file:\/\/.*?\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(packages|bench)\//, '$1/')
    .replace(/^file:\/\//, '');

/** `cpuMs`: CPU the process used while profiled; splits it by sample share (0 = shares only). */
export function summarizeProfile(path: string, cpuMs = 0, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const perNode = new Map<number, number>();
  for (const id of profile.samples) perNode.set(id, (perNode.get(id) ?? 0) + 1);
  const idle = [...perNode].filter(([id]) => byId.get(id)!.functionName === '(idle)').reduce((s, [, c]) => s + c, 0);
  const busy = profile.samples.length - idle;
  const share = (name: string, count: number): Share => ({
    name,
    pctBusy: round((100 * count) / busy, 1),
    cpuMs: round((cpuMs * count) / busy, 0),
  });

  const fns = new Map<string, { name: string; where: string; count: number }>();
  const areas = new Map<string, number>();
  for (const [id, count] of perNode) {
    const f = byId.get(id)!;
    if (f.functionName === '(idle)') continue;
    areas.set(area(f.functionName, f.url), (areas.get(area(f.functionName, f.url)) ?? 0) + count);
    // tsx emits each module on one line: the column tells functions apart.
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : '(native)';
    const key = `${f.functionName}@${where}`;
    const e = fns.get(key) ?? { name: f.functionName || '(anonymous)', where, count: 0 };
    e.count += count;
    fns.set(key, e);
  }
  const phases = phaseCounts(profile.nodes, profile.samples);
  phases.delete('(idle)');
  const sorted = (m: Map<string, number>): Share[] => [...m].sort((a, b) => b[1] - a[1]).map(([name, c]) => share(name, c));
  return {
    samples: profile.samples.length,
    busySamples: busy,
    cpuMs: round(cpuMs, 0),
    top: [...fns.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, topN)
      .map((f) => ({ ...share(f.name, f.count), where: f.where })),
    areas: sorted(areas),
    phases: sorted(phases),
  };
}
