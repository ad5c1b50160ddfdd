/**
 * Explores a compiled workflow machine breadth-first (reliability matrix H3).
 *
 * Why not `@xstate/graph`: its traversals key a state by value and context
 * and take a fixed list of events per state; our events carry the attempt
 * number the context holds (a reply to an old attempt is ignored), so the
 * events to try depend on the state. This explorer asks each state for the
 * events the outside world could send it now, built from the context exactly
 * as the orchestrator's producers build them (`machineEvent` shapes):
 * - every step: its evaluation (run / condition false / expression error),
 *   a reply to its current attempt (ok, retryable failure, final failure),
 *   each timer kind for its current attempt, a signal;
 * - the saga: the compensation's evaluation, reply and timers for the step
 *   it is on;
 * - operators: `resolve` (retry / skip / abort) for escalations, `pause`,
 *   `resume` and `cancel`.
 * An event that does not move the machine (XState hands back the same
 * snapshot, as the orchestrator sees "stale") is no edge. The outbox is
 * cleared before each event, as the event applier does.
 *
 * States are keyed by the state value and the parts of the context that
 * decide what happens next (step statuses and attempts, armed timers and
 * waits, pause, failure, compensation progress); `now` is fixed, so timer ids
 * and due times are the same on every path. Attempt numbers are capped in the
 * key (`ATTEMPT_CAP`): operators can retry without end.
 */
import type { ChartState, CompiledWorkflow } from '@squadflow/engine';

type Runner = CompiledWorkflow['runner'];
type Snapshot = ReturnType<Runner['initial']>;
type Event = Parameters<Runner['transition']>[1];

/** Events nobody but an operator sends: a state that needs one is parked, waiting for a person. */
export const OPERATOR_EVENTS = new Set(['resolve', 'pause', 'resume', 'cancel']);

const TIMER_KINDS = ['delay', 'timeout', 'backoff', 'wait', 'escalation'] as const;
const COMPENSATION_TIMERS = ['compensation-timeout', 'compensation-backoff'] as const;
/**
 * Attempt numbers from this one up count as one in a state's key. An operator
 * may retry an escalated step or compensation, or resume a suspended one,
 * again and again, each time with a new attempt: without this the space is
 * infinite. Past the retry policy every attempt behaves alike (no retry left),
 * so the cap is sound for definitions with at most `ATTEMPT_CAP - 2` retries;
 * `explore` refuses others.
 */
export const ATTEMPT_CAP = 3;
const capped = (attempt: number): number => Math.min(attempt, ATTEMPT_CAP);

export interface Edge {
  event: string;
  to: number;
}

export interface Exploration {
  /** Snapshots by index; index 0 is the initial one. */
  states: Snapshot[];
  edges: Edge[][];
  /** Every state node id (`workflow.running.a.waiting`, …) active in some explored snapshot. */
  reachedNodes: Set<string>;
  /** True when the exploration stopped at `maxStates` before the frontier was empty. */
  truncated: boolean;
}

interface Ctx {
  steps: Record<string, { status: string; attempt: number }>;
  timers: string[];
  volatileTimers?: Record<string, unknown>;
  waits: Array<{ key: string; step: string }>;
  paused?: boolean;
  failure?: unknown;
  compensation?: { queue: string[]; index: number; attempt: number };
  outbox: unknown[];
}

const ctxOf = (s: Snapshot): Ctx => s.context as unknown as Ctx;

const cappedTimerId = (id: string): string =>
  id.replace(/\.(\d+)\.([a-z-]+)$/, (_m, n: string, kind: string) => `.${capped(Number(n))}.${kind}`);

function keyOf(s: Snapshot): string {
  const c = ctxOf(s);
  const steps = Object.entries(c.steps).map(([n, r]) => `${n}:${r.status}:${capped(r.attempt)}`);
  return JSON.stringify([
    s.status,
    s.value,
    steps,
    // Timer ids carry the attempt (`<execution>.<step>.<attempt>.<kind>`): capped like the attempts.
    c.timers.map(cappedTimerId).sort(),
    Object.keys(c.volatileTimers ?? {})
      .map(cappedTimerId)
      .sort(),
    c.waits.map((w) => `${w.step}:${w.key}`).sort(),
    c.paused === true,
    c.failure ?? null,
    c.compensation ? [c.compensation.index, capped(c.compensation.attempt), c.compensation.queue] : null,
  ]);
}

/** What the outside world could send a state now (see the file comment). */
export function candidateEvents(s: Snapshot): Event[] {
  const c = ctxOf(s);
  const out: Record<string, unknown>[] = [];
  for (const [step, rec] of Object.entries(c.steps)) {
    const attempt = rec.attempt;
    out.push(
      { type: `eval.${step}`, run: true, input: {} },
      { type: `eval.${step}`, run: false, reason: 'condition is false' },
      { type: `eval.${step}`, run: false, error: 'expression failed' },
      { type: `reply.${step}`, attempt, ok: true, output: { ok: true } },
      { type: `reply.${step}`, attempt, ok: false, error: { message: 'failed', retryable: true } },
      { type: `reply.${step}`, attempt, ok: false, error: { message: 'failed for good', retryable: false } },
      { type: `signal.${step}`, signalId: `sig-${step}`, data: {} },
      ...TIMER_KINDS.map((timer) => ({ type: `timer.${step}`, attempt, timer })),
    );
  }
  const comp = c.compensation;
  const compStep = comp?.queue[comp.index];
  if (comp && compStep) {
    const attempt = comp.attempt;
    out.push(
      { type: 'ceval', step: compStep },
      { type: 'ceval', step: compStep, error: 'expression failed' },
      { type: 'creply', step: compStep, attempt, ok: true, output: {} },
      { type: 'creply', step: compStep, attempt, ok: false, error: { message: 'undo failed', retryable: true } },
      { type: 'creply', step: compStep, attempt, ok: false, error: { message: 'undo failed for good', retryable: false } },
      ...COMPENSATION_TIMERS.map((timer) => ({ type: 'ctimer', step: compStep, attempt, timer })),
    );
  }
  for (const action of ['retry', 'skip', 'abort'] as const) {
    out.push({ type: 'resolve', action });
    for (const step of Object.keys(c.steps)) out.push({ type: 'resolve', action, step });
  }
  out.push({ type: 'pause' }, { type: 'resume' }, { type: 'cancel', reason: 'operator' });
  return out as unknown as Event[];
}

/** The family of an event type: `reply.a` → `reply`. */
export const familyOf = (type: string): string => type.split('.')[0]!;

/** Breadth-first over every state reachable from the initial snapshot, up to `maxStates`. */
export function explore(workflow: CompiledWorkflow, maxStates = 20_000): Exploration {
  for (const [name, step] of workflow.plan.steps) {
    const retries = (step as { retry?: { retries: number } }).retry?.retries ?? 0;
    if (retries > ATTEMPT_CAP - 2)
      throw new Error(`step ${name} retries ${retries} times; the explorer's attempt cap allows ${ATTEMPT_CAP - 2}`);
  }
  const runner = workflow.runner;
  const initial = runner.initial({
    executionId: 'x1',
    workflow: workflow.definition.name,
    version: workflow.version,
    input: {},
    at: 0,
  });
  const states: Snapshot[] = [initial];
  const edges: Edge[][] = [[]];
  const index = new Map<string, number>([[keyOf(initial), 0]]);
  const reachedNodes = new Set<string>();
  let truncated = false;
  for (let i = 0; i < states.length; i++) {
    const from = states[i]!;
    for (const node of (from as unknown as { _nodes: { id: string }[] })._nodes) reachedNodes.add(node.id);
    if (from.status !== 'active') continue;
    const prepared = { ...from, context: { ...from.context, outbox: [] } } as Snapshot;
    for (const event of candidateEvents(from)) {
      const next = runner.transition(prepared, event);
      if (next === prepared) continue;
      const key = keyOf(next);
      let to = index.get(key);
      if (to === undefined) {
        if (states.length >= maxStates) {
          truncated = true;
          continue;
        }
        to = states.length;
        index.set(key, to);
        states.push(next);
        edges.push([]);
      }
      if (to !== i) edges[i]!.push({ event: event.type, to });
    }
  }
  return { states, edges, reachedNodes, truncated };
}

/** States from which a final state can be reached using only edges `allowed` lets through. */
export function canFinish(x: Exploration, allowed: (event: string) => boolean): Set<number> {
  const reverse: number[][] = x.states.map(() => []);
  x.edges.forEach((list, from) => {
    for (const e of list) if (allowed(e.event)) reverse[e.to]!.push(from);
  });
  const done = new Set<number>();
  const queue: number[] = [];
  x.states.forEach((s, i) => {
    if (s.status === 'done') {
      done.add(i);
      queue.push(i);
    }
  });
  while (queue.length) {
    const i = queue.pop()!;
    for (const from of reverse[i]!) {
      if (done.has(from)) continue;
      done.add(from);
      queue.push(from);
    }
  }
  return done;
}

/** Every state node id of the compiled chart (`statechartJson`), with its type. */
export function chartNodes(chart: ChartState): Map<string, ChartState['type']> {
  const out = new Map<string, ChartState['type']>();
  const walk = (node: ChartState): void => {
    out.set(node.id, node.type);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(chart);
  return out;
}

/** A readable path of events from the initial state to `target` (for failure messages). */
export function pathTo(x: Exploration, target: number): string[] {
  const parent = new Map<number, { from: number; event: string }>();
  const queue = [0];
  const seen = new Set([0]);
  while (queue.length) {
    const i = queue.shift()!;
    if (i === target) break;
    for (const e of x.edges[i]!) {
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      parent.set(e.to, { from: i, event: e.event });
      queue.push(e.to);
    }
  }
  const path: string[] = [];
  for (let i = target; parent.has(i); i = parent.get(i)!.from) path.unshift(parent.get(i)!.event);
  return path;
}
