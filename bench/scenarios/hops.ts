/**
 * hops: where the time of a chain4 execution at 1 in flight goes. Runs the
 * chain4 deployment with hop tracing on in the orchestrator and the squads
 * (`SQUADFLOW_HOP_TRACE`, packages/transport/src/hop-trace.ts) and splits
 * every step into its legs: the command's trip to the squad, the squad's
 * claim, its handler, the reply's trip back, the orchestrator's transition
 * and compare-and-set. Tracing costs a little time at each point, so the
 * total here is a bit above chain4's p50.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Deployment } from '../lib/deployment.ts';
import { analyzeHops, LEGS, readHops } from '../lib/hops.ts';
import { closedLoop } from '../lib/load.ts';
import { round } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { chain4 as workflow, CONTEXT } from '../lib/workflows.ts';

const now = (): number => performance.timeOrigin + performance.now();

export async function hops({ settings }: RunContext): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'squadflow-hops-'));
  const base = join(dir, 'trace');
  // The processes started now inherit it; this process's own transport was loaded without it (no driver points).
  process.env['SQUADFLOW_HOP_TRACE'] = base;
  let d: Deployment | undefined;
  try {
    d = await Deployment.start({ label: 'hops' });
    const version = await d.register(workflow);
    await d.startOrchestrator();
    delete process.env['SQUADFLOW_HOP_TRACE'];
    const run = d.runner(workflow.name, version, CONTEXT);
    const windows: [number, number][] = [];
    process.stdout.write('  hops: chain4 at 1 in flight, traced...\n');
    const plan = { inFlight: 1, ...settings.latency };
    await closedLoop(async () => {
      const t0 = now();
      await run();
      windows.push([t0, now()]);
    }, plan);
    await d.close(); // the processes write their last points as they exit
    d = undefined;
    const report = analyzeHops(readHops(base), windows.slice(plan.warmupCount));
    const perStep = LEGS.reduce((sum, [, k]) => sum + report.legs[k].p50, 0);
    const rows = [
      ['executions analysed', report.executions, '', '', ''],
      ['whole execution (p50)', report.total, 'ms', '', ''],
      ['trigger published -> first command sent (p50)', report.start, 'ms', '', ''],
      ...LEGS.map(([what, k]) => [`step: ${what}`, report.legs[k].p50, 'ms', `p90 ${report.legs[k].p90}`, '']),
      ['step: sum of the legs (p50s)', round(perStep, 3), 'ms', '', ''],
      ['last step persisted -> driver saw execution.completed (p50)', report.end, 'ms', '', ''],
    ];
    return {
      scenario: 'hops',
      figures: {
        total: report.total,
        start: report.start,
        step: round(perStep, 3),
        ...Object.fromEntries(LEGS.map(([, k]) => [k, report.legs[k].p50])),
      },
      rows,
      settings: { latency: plan },
      data: { ...report },
    };
  } finally {
    delete process.env['SQUADFLOW_HOP_TRACE'];
    await d?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
