/**
 * compile: how compiling a definition scales with its steps, in this process
 * (bench/lib/compile-scaling.ts). Compile time per step is given as a multiple
 * of the 100-step figure of the same run and shape: 1.0 at every size is linear.
 */
import { round } from '../lib/rss.ts';
import { measureAll, perStepRatio, tableRows } from '../lib/compile-scaling.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';

export async function compile({ settings }: RunContext): Promise<ScenarioResult> {
  const sizes = settings.quick ? [100, 400, 1000] : [100, 200, 400, 800, 1000];
  const rounds = settings.quick ? 2 : 3;
  const all = measureAll(sizes, rounds);
  const figures: Record<string, number> = {};
  for (const r of all) {
    figures[`${r.shape}_${r.steps}_compile_ms`] = round(r.compileMs, 1);
    figures[`${r.shape}_${r.steps}_per_step_ratio`] = round(perStepRatio(all, r), 2);
  }
  // The run's table in the scenario's [measure, value, unit, floor, ratio] rows: compile time, and its per-step ratio.
  const rows = tableRows(all).map((r, i) => [
    `${all[i]!.shape} ${all[i]!.steps} steps: compile (validate ${round(all[i]!.validateMs, 1)}, createMachine ${round(all[i]!.createMachineMs, 1)}, initial ${round(all[i]!.initialMs, 1)} ms)`,
    round(all[i]!.compileMs, 1),
    'ms',
    '100-step µs/step',
    r[9]!,
  ]);
  return { scenario: 'compile', figures, rows, settings: { sizes, rounds, inProcess: true }, data: { phases: all } };
}
