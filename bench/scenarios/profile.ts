/**
 * --profile: chain4 at 256 in flight with the orchestrator under
 * `node --cpu-prof`. The profile is written when the orchestrator exits
 * (SIGTERM → graceful stop → exit), then summarised: top self-time
 * functions and time per area. Figures from this run are slower than
 * unprofiled ones and feed no target.
 */
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from '../lib/deployment.ts';
import { closedLoop } from '../lib/load.ts';
import { summarizeProfile } from '../lib/profile.ts';
import { writeFlameGraph } from '../lib/flamegraph.ts';
import { readCpuMs } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { chain4 as workflow, CONTEXT } from '../lib/workflows.ts';

const DIR = fileURLToPath(new URL('../results/profiles/', import.meta.url));

export async function profile({ settings, stamp }: RunContext): Promise<ScenarioResult> {
  mkdirSync(DIR, { recursive: true });
  const since = Date.now();
  const d = await Deployment.start({ label: 'profile' });
  let file: string | undefined;
  try {
    const version = await d.register(workflow);
    // From the sources: the profile attributes time to files (a bundle would put everything in one).
    const orchestrator = await d.startOrchestrator(['--cpu-prof', '--cpu-prof-dir', DIR], { fromSource: true });
    process.stdout.write('  profile: chain4 at 256 in flight, orchestrator under --cpu-prof...\n');
    const meter = d.cpuMeter();
    const tput = await closedLoop(d.runner(workflow.name, version, CONTEXT), { inFlight: 256, ...settings.throughput });
    const cpu = meter();
    const cpuMs = readCpuMs(orchestrator.pid); // the whole life, like the profile
    await orchestrator.stop();
    file = readdirSync(DIR)
      .filter((f) => f.endsWith('.cpuprofile') && statSync(join(DIR, f)).mtimeMs >= since && f.includes(`.${orchestrator.pid}.0.`))
      .map((f) => join(DIR, f))[0];
    // Thread 0 is the main thread; tsx's module-loader thread writes its own profile.
    if (!file) throw new Error(`no main-thread .cpuprofile of pid ${orchestrator.pid} in ${DIR}`);
    // The flame graph, kept with the results (open it in Chrome DevTools' Performance panel or speedscope.app).
    const kept = fileURLToPath(new URL(`../results/${stamp}-orchestrator.cpuprofile`, import.meta.url));
    copyFileSync(file, kept);
    file = kept;
    const flame = kept.replace(/\.cpuprofile$/, '-flame.svg');
    writeFlameGraph(file, flame, `orchestrator, chain4 at 256 in flight (${stamp})`);
    const summary = summarizeProfile(file, cpuMs);
    // Events the profiled process applied: each execution is a trigger plus 4 replies.
    const events = d.completions.count('execution.completed') * 5;
    const perEvent = (ms: number): number => Math.round((ms * 1000) / events);
    return {
      scenario: 'profile',
      figures: { tput: tput.perSecond, cpu_us_per_event: perEvent(cpuMs) },
      rows: [
        ['chain4 @256 (profiled)', tput.perSecond, 'exec/s', '', ''],
        ['orchestrator CPU per execution (window)', cpu.orchestratorMs, 'ms', '', ''],
        ['orchestrator CPU, whole life', Math.round(cpuMs), 'ms', '', ''],
        ['events applied (executions × 5)', events, '', '', ''],
        ['CPU per event, whole life', perEvent(cpuMs), 'µs', '', ''],
        ...summary.phases.map((p) => [`phase: ${p.name}`, perEvent(p.cpuMs), 'µs/event', '', `${p.pctBusy}%`]),
        ...summary.areas.slice(0, 12).map((a) => [`area: ${a.name}`, perEvent(a.cpuMs), 'µs/event', '', `${a.pctBusy}%`]),
        ...summary.top.map((f) => [`${f.name} ${f.where}`, perEvent(f.cpuMs), 'µs/event', '', `${f.pctBusy}%`]),
      ],
      settings: { throughput: { inFlight: 256, ...settings.throughput }, nodeArgs: ['--cpu-prof'] },
      data: {
        profile: relative(process.cwd(), file),
        flameGraph: relative(process.cwd(), flame),
        throughput: { perSecond: tput.perSecond, completed: tput.completed },
        cpuPerExecution: cpu,
        events,
        summary,
      },
    };
  } finally {
    await d.close();
  }
}
