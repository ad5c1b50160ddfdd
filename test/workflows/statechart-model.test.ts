/**
 * Statechart model tests (reliability matrix H3): every state of a compiled
 * machine that can be reached is reached by a breadth-first exploration
 * (test/support/machine-explorer.ts), and from every reached state the
 * execution can still end: a final state is reachable without an operator,
 * or the state is explicitly parked for a person (a paused execution, an
 * escalated or suspended step, an escalated compensation). No dead states.
 *
 * Over the seed workflows of the catalog and generated definitions. The seed
 * workflows retry steps 2–3 times; they are explored with 1 retry: the chart
 * is the same for any number of retries above 0 (only the guard's count
 * differs), and the full counts multiply the states by ten (60,000 states,
 * 20 s on this machine) for no new node or transition.
 *
 * Here and not in packages/engine/test: the seed workflows live in
 * @squadflow/squads, which the engine package may not import.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, statechartJson, type CompiledWorkflow } from '@squadflow/engine';
import { seedWorkflows } from '@squadflow/squads/catalog';
import type { WorkflowDefinition } from '@squadflow/shared';
import { OPERATOR_EVENTS, canFinish, chartNodes, explore, pathTo, type Exploration } from '../support/machine-explorer.ts';

interface PlanLike {
  type: string;
  deps: unknown[];
  dependants: string[];
  needsEvaluation: boolean;
  onError: string;
  retry?: { retries: number };
  compensate?: unknown;
}

const planOf = (w: CompiledWorkflow, step: string): PlanLike => w.plan.steps.get(step) as unknown as PlanLike;

/** Steps that run after `step` (its dependants, transitively). */
function descendants(w: CompiledWorkflow, step: string): Set<string> {
  const out = new Set<string>();
  const queue = [...planOf(w, step).dependants];
  while (queue.length) {
    const next = queue.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    queue.push(...planOf(w, next).dependants);
  }
  return out;
}

/**
 * Chart nodes no execution can be in by construction, each for a stated reason; every other node must be reached.
 * Final nodes other than `completed` and `cancelled` are not required: a region's final node is left in the same
 * step when it is the last (the parallel state is done at once), so no snapshot shows it.
 */
function exempt(w: CompiledWorkflow, id: string, type: string): string | undefined {
  if (type === 'final' && id !== 'workflow.completed' && id !== 'workflow.cancelled') return 'final, possibly transient';
  // Its one way in is a parent's compensate request for a completed child (runtime/reopen.ts), not a transition.
  if (id === 'workflow.reopened') return 'entered only when a completed child is asked to compensate';
  const region = /^workflow\.running\.([^.]+)\.([^.]+)$/.exec(id);
  if (region) {
    const plan = planOf(w, region[1]!);
    const state = region[2]!;
    if (state === 'blocked' && plan.deps.length === 0) return 'a step without dependencies starts at once';
    // Resume and retry go back to it only for a step that failed in its evaluation.
    if (state === 'evaluating' && !plan.needsEvaluation) return 'nothing to evaluate';
    if (state === 'backoff' && (plan.retry?.retries ?? 0) === 0) return 'no retries';
    return undefined;
  }
  if (id === 'workflow.compensating' || id.startsWith('workflow.compensating.')) {
    const steps = [...w.plan.steps.keys()];
    const compensable = steps.filter((s) => planOf(w, s).compensate !== undefined);
    const triggers = steps.filter((s) => planOf(w, s).onError === 'compensate');
    const possible = compensable.filter((c) => triggers.some((f) => f !== c && !descendants(w, f).has(c)));
    if (!possible.length) return 'no compensable step can complete before a step with onError compensate fails';
    if (id === 'workflow.compensating.backoff' && possible.every((c) => (planOf(w, c).retry?.retries ?? 0) === 0))
      return 'compensations without retries';
  }
  return undefined;
}

/** Parked for a person: nothing but an operator's resume or resolve can move it. */
function parkedForAPerson(x: Exploration, i: number): boolean {
  const s = x.states[i]!;
  const ctx = s.context as unknown as { paused?: boolean; steps: Record<string, { status: string }> };
  const value = JSON.stringify(s.value);
  return (
    ctx.paused === true ||
    Object.values(ctx.steps).some((r) => r.status === 'escalated' || r.status === 'suspended') ||
    value.includes('"compensating":"escalated"')
  );
}

/** The model checks of one workflow; returns what was explored, for the test's log line. */
function checkModel(w: CompiledWorkflow): { states: number; nodes: number; exempt: number } {
  const x = explore(w, 100_000);
  const name = w.definition.name;
  expect(x.truncated, `${name}: the exploration stopped at its bound`).toBe(false);

  const nodes = chartNodes(statechartJson(w.machine));
  const missing = [...nodes].filter(([id, type]) => !x.reachedNodes.has(id) && exempt(w, id, type) === undefined).map(([id]) => id);
  expect(missing, `${name}: chart nodes never reached`).toEqual([]);

  // Without cancel (which ends anything), every state can still reach a final state.
  const finishes = canFinish(x, (event) => event !== 'cancel');
  const dead = x.states.map((_, i) => i).filter((i) => !finishes.has(i));
  expect(
    dead.map((i) => `${JSON.stringify(x.states[i]!.value)} after ${pathTo(x, i).join(' > ')}`),
    `${name}: dead states`,
  ).toEqual([]);

  // Those that need an operator to finish must be parked for a person, explicitly.
  const unattended = canFinish(x, (event) => !OPERATOR_EVENTS.has(event));
  const stranded = x.states.map((_, i) => i).filter((i) => !unattended.has(i) && !parkedForAPerson(x, i));
  expect(
    stranded.map((i) => `${JSON.stringify(x.states[i]!.value)} after ${pathTo(x, i).join(' > ')}`),
    `${name}: states that only an operator can end, yet wait for nobody`,
  ).toEqual([]);

  // Every state reached ends somewhere: a final state is among them.
  expect(x.states.some((s) => s.status === 'done')).toBe(true);
  return {
    states: x.states.length,
    nodes: nodes.size,
    exempt: [...nodes].filter(([id, t]) => !x.reachedNodes.has(id) && exempt(w, id, t)).length,
  };
}

/** The seed workflow with every retry count capped at 1 (see the file comment). */
function oneRetry(def: WorkflowDefinition): WorkflowDefinition {
  const cap = <T extends { retries?: number }>(r: T | undefined): T | undefined => (r ? { ...r, retries: Math.min(1, r.retries ?? 1) } : r);
  const defaults = def.defaults ? { ...def.defaults, ...(def.defaults.retry ? { retry: cap(def.defaults.retry) } : {}) } : undefined;
  return {
    ...def,
    ...(defaults ? { defaults } : {}),
    steps: def.steps.map((s) => ('retry' in s && s.retry ? { ...s, retry: cap(s.retry)! } : s)) as WorkflowDefinition['steps'],
  } as WorkflowDefinition;
}

describe('statechart model (H3)', () => {
  for (const def of seedWorkflows()) {
    it(`seed workflow ${def.name}: every node reached, no dead state, operator-only states parked`, () => {
      const w = compileWorkflow(oneRetry(def), 1);
      const r = checkModel(w);
      console.log(`H3 ${def.name}: ${r.states} states, ${r.nodes} chart nodes (${r.exempt} exempt)`);
      expect(r.states).toBeGreaterThan(10);
    });
  }

  const onErrors = ['fail', 'skip', 'compensate', 'escalate', 'pause'] as const;
  /** 1–3 steps, each a task or a wait, depending on earlier ones; retries 0–1, every onError, a compensation on the first. */
  const generated = fc
    .array(
      fc.record({
        wait: fc.boolean(),
        deps: fc.array(fc.nat(2), { maxLength: 2 }),
        retries: fc.constantFrom(0, 1),
        onError: fc.constantFrom(...onErrors),
        delay: fc.boolean(),
        condition: fc.boolean(),
        waitTimeout: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((specs) => ({
      name: 'generated',
      steps: specs.map((s, i) => {
        const dependsOn = i === 0 ? [] : [...new Set(s.deps.map((d) => `s${d % i}`))];
        const common = {
          name: `s${i}`,
          dependsOn,
          ...(s.delay ? { delay: '1m' } : {}),
          ...(s.condition ? { condition: 'n > 0' } : {}),
        };
        if (s.wait && i > 0) return { ...common, type: 'wait', signal: 'k_{$execution.id}', ...(s.waitTimeout ? { timeout: '1h' } : {}) };
        return {
          ...common,
          type: 'task',
          squad: 'q',
          action: 'act',
          timeout: '30s',
          retry: { retries: s.retries },
          onError: s.onError,
          ...(i === 0 ? { compensate: { action: 'undo' } } : {}),
        };
      }),
    }));

  it('generated definitions: every node reached, no dead state, operator-only states parked', () => {
    let explored = 0;
    fc.assert(
      fc.property(generated, (def) => {
        explored += checkModel(compileWorkflow(def, 1)).states;
      }),
      { numRuns: 25, seed: 1107 },
    );
    console.log(`H3 generated: 25 definitions, ${explored} states`);
  });
});
