/**
 * machine: the pure per-event engine work in this process, no NATS — a
 * compiled workflow driven through its events the way the orchestrator
 * drives it (transition, resolve `evaluate` effects, persist the snapshot).
 * Compares XState's `transition()` (what the orchestrator called before: it builds
 * a throwaway actor, and with it the machine's initial snapshot, per call)
 * with the engine's runner (`CompiledWorkflow.runner`: one reused actor scope).
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { compileWorkflow } from '@squadflow/engine';
import { round } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { chain4, CONTEXT, fan16 } from '../lib/workflows.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- XState's snapshot and scope types are internal here */
const xstate = createRequire(new URL('../../packages/engine/package.json', import.meta.url))('xstate') as any;
const OUTPUT = { ok: true, data: 'o'.repeat(180) };

async function measure(def: { name: string; steps: { name: string }[] }, reuseScope: boolean, executions: number) {
  const wf = compileWorkflow(def, 1);
  const m = wf.machine as any;
  // The engine's runner keeps one inert actor scope per compiled machine: what `transition()` rebuilds on every call.
  const runner = reuseScope ? wf.runner : undefined;
  let calls = 0;
  let transitionMs = 0;
  let persistMs = 0;
  let events = 0;
  let bytes = 0;
  const tr = (s: any, e: unknown): any => {
    const t = performance.now();
    const next = runner ? runner.transition(s, e as never) : xstate.transition(m, s, e)[0];
    transitionMs += performance.now() - t;
    calls++;
    return next;
  };
  const settle = async (s: any): Promise<any> => {
    for (let i = 0; i < s.context.outbox.length; i++) {
      const effect = s.context.outbox[i];
      if (effect.kind === 'evaluate') s = tr(s, await wf.evaluate(s.context, effect.step, effect.purpose));
    }
    return s;
  };
  const persist = (s: any): void => {
    const t = performance.now();
    bytes = JSON.stringify(runner ? runner.persist(s) : m.getPersistedSnapshot(s)).length;
    persistMs += performance.now() - t;
    events++;
  };
  for (let i = 0; i < executions; i++) {
    const t = performance.now();
    const input = { executionId: `e${i}`, workflow: def.name, version: 1, input: CONTEXT, at: 1 };
    let s = runner ? runner.initial(input) : xstate.initialTransition(m, input)[0];
    calls++;
    transitionMs += performance.now() - t;
    s = await settle(s);
    persist(s);
    for (const step of def.steps) {
      s = tr({ ...s, context: { ...s.context, outbox: [], now: 2 } }, { type: `reply.${step.name}`, attempt: 1, ok: true, output: OUTPUT });
      s = await settle(s);
      persist(s);
    }
    if (s.status !== 'done') throw new Error(`${def.name} did not complete in-process`);
  }
  return {
    usPerCall: (1000 * transitionMs) / calls,
    callsPerEvent: calls / events,
    usPerEvent: (1000 * transitionMs) / events,
    persistUs: (1000 * persistMs) / events,
    bytes,
  };
}

export async function machine({ settings }: RunContext): Promise<ScenarioResult> {
  const n = settings.quick ? 100 : 500;
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const figures: Record<string, number> = {};
  for (const def of [chain4, fan16]) {
    const label = def.name.replace('bench_', '');
    await measure(def, false, 50); // warm-up: JIT
    await measure(def, true, 50);
    const pure = await measure(def, false, n);
    const reused = await measure(def, true, n);
    figures[`${label}_transition_us`] = round(pure.usPerEvent, 0);
    data[label] = { executions: n, transitionApi: pure, reusedScope: reused };
    rows.push(
      [`${label}: transition() per call`, round(pure.usPerCall, 0), 'µs', '', ''],
      [
        `${label}: machine.transition, reused scope`,
        round(reused.usPerCall, 0),
        'µs',
        'transition()',
        `${(reused.usPerCall / pure.usPerCall).toFixed(2)}×`,
      ],
      [`${label}: transitions per event`, round(pure.callsPerEvent, 1), '', '', ''],
      [`${label}: transition work per event`, round(pure.usPerEvent, 0), 'µs', '', ''],
      [`${label}: getPersistedSnapshot + stringify`, round(pure.persistUs, 0), 'µs/event', '', ''],
      [`${label}: persisted snapshot at the end`, pure.bytes, 'B', '', ''],
    );
  }
  return { scenario: 'machine', figures, rows, settings: { executions: n, inProcess: true }, data };
}
