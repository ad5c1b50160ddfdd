/**
 * The workflow graph: what a person (or the web UI) draws for a definition.
 * Built from the definition alone, never from the compiled XState chart:
 * the chart has one parallel region per step with internal states
 * (evaluating, delayed, running, backoff…) and no edges between steps, which
 * is right for the machine and unreadable for a person. docs/ui-api.md
 * describes the shape.
 *
 * Synthetic nodes (ids start with `__` or contain `:`, which step names
 * cannot):
 * - `__start` / `__end`: steps without dependencies hang from the start,
 *   steps nothing depends on lead to the end;
 * - `compensate:<step>`: a task's compensation (squad.action), or a workflow
 *   step's (the child's own saga), joined by a `compensation` edge;
 * - `escalate:<step>:<level>`: a human task's escalation levels, chained by
 *   `escalation` edges labelled with the time since the task started;
 * - `__escalated`: where steps with `onError: escalate` go when they fail
 *   for good (an `escalation` edge);
 * - `__compensate`: where steps with `onError: compensate` go (the saga then
 *   runs the compensations of completed steps in reverse order).
 */
import { dependencyName, durationMs, type RetryPolicy, type Step, type WorkflowDefinition } from '@squadflow/shared';

export type GraphNodeType = Step['type'] | 'start' | 'end' | 'compensation' | 'escalation' | 'escalated' | 'saga';
export type GraphEdgeKind = 'dependency' | 'compensation' | 'escalation' | 'timeout';

export interface GraphRetry {
  /** Attempts in all: the first plus the retries. */
  attempts: number;
  retries: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maxIntervalMs: number;
  jitter: number;
}

export interface GraphNode {
  /** The step name, or a synthetic id (see the module comment). */
  id: string;
  type: GraphNodeType;
  label: string;
  description?: string;
  squad?: string;
  action?: string;
  /** Durable wait once the step is ready, before it starts. */
  delayMs?: number;
  /** Per attempt for a task; the wait's or human task's deadline otherwise. */
  timeoutMs?: number;
  retry?: GraphRetry;
  onError?: 'fail' | 'skip' | 'compensate' | 'escalate' | 'pause';
  /** The step runs only when this JSONata expression is true. */
  condition?: string;
  /** A wait on a signal (`signal`: its key template) or on another execution (`execution`: the expression giving its id). */
  wait?: { signal?: string; execution?: string; timeoutMs?: number };
  /** A `workflow` step: the child workflow it runs (and its pinned version). */
  child?: { workflow: string; version?: number; compensate: boolean };
  human?: { assignee: string; title?: string; escalations: Array<{ afterMs: number; to: string }> };
  compensation?: { squad: string; action: string };
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: GraphEdgeKind;
  label?: string;
  /** For a dependency: the outcome of `from` it requires (else `to` is skipped). */
  on?: 'completed' | 'skipped' | 'signal' | 'timeout';
}

export interface WorkflowGraph {
  workflow: string;
  version: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const START = '__start';
export const END = '__end';
export const ESCALATED = '__escalated';
export const SAGA = '__compensate';

/** The graph of a definition (defaults filled in, as the registry returns it). */
export function workflowGraph(def: WorkflowDefinition, version = def.version ?? 1): WorkflowGraph {
  const nodes: GraphNode[] = [{ id: START, type: 'start', label: 'start' }];
  const edges: GraphEdge[] = [];
  const edge = (from: string, to: string, kind: GraphEdgeKind, extra: Partial<GraphEdge> = {}): void => {
    edges.push({ id: `${from}->${to}`, from, to, kind, ...extra });
  };
  const hasDependants = new Set(def.steps.flatMap((s) => s.dependsOn.map(dependencyName)));
  const synthetic: GraphNode[] = [];
  const sinks = new Set<string>();

  for (const step of def.steps) {
    nodes.push(stepNode(step, def));
    if (step.dependsOn.length === 0) edge(START, step.name, 'dependency');
    for (const dep of step.dependsOn) {
      const from = dependencyName(dep);
      const on = typeof dep === 'string' ? undefined : dep.on;
      edge(from, step.name, on === 'timeout' ? 'timeout' : 'dependency', on ? { on, label: `on ${on}` } : {});
    }
    if (!hasDependants.has(step.name)) edge(step.name, END, 'dependency');
    if (step.type === 'task' && step.compensate) {
      const id = `compensate:${step.name}`;
      const squad = step.compensate.squad ?? step.squad;
      synthetic.push({ id, type: 'compensation', label: `${squad}.${step.compensate.action}`, squad, action: step.compensate.action });
      edge(step.name, id, 'compensation', { label: 'compensate' });
    }
    if (step.type === 'workflow' && step.compensate) {
      const id = `compensate:${step.name}`;
      synthetic.push({ id, type: 'compensation', label: `${step.workflow}: its own compensations` });
      edge(step.name, id, 'compensation', { label: 'compensate' });
    }
    if (step.type === 'human') {
      let from: string = step.name;
      [...step.escalations]
        .map((e) => ({ afterMs: durationMs(e.after), to: e.to }))
        .sort((a, b) => a.afterMs - b.afterMs)
        .forEach((e, i) => {
          const id = `escalate:${step.name}:${i + 1}`;
          synthetic.push({ id, type: 'escalation', label: `escalate to ${e.to}`, human: { assignee: e.to, escalations: [] } });
          edge(from, id, 'escalation', { label: `after ${formatMs(e.afterMs)}` });
          from = id;
        });
    }
    const onError = step.type === 'task' ? (step.onError ?? (def.continueOnError ? 'skip' : 'fail')) : undefined;
    if (onError === 'escalate') {
      sinks.add(ESCALATED);
      edge(step.name, ESCALATED, 'escalation', { label: 'on error' });
    }
    if (onError === 'compensate') {
      sinks.add(SAGA);
      edge(step.name, SAGA, 'compensation', { label: 'on error' });
    }
  }
  nodes.push({ id: END, type: 'end', label: 'end' }, ...synthetic);
  if (sinks.has(ESCALATED)) nodes.push({ id: ESCALATED, type: 'escalated', label: 'escalated (retry, skip or abort by an operator)' });
  if (sinks.has(SAGA)) nodes.push({ id: SAGA, type: 'saga', label: 'compensate completed steps (reverse order)' });
  return { workflow: def.name, version, nodes, edges };
}

function stepNode(step: Step, def: WorkflowDefinition): GraphNode {
  const common: GraphNode = {
    id: step.name,
    type: step.type,
    label: step.name,
    ...(step.description ? { description: step.description } : {}),
    ...(step.delay === undefined ? {} : { delayMs: durationMs(step.delay) }),
    ...(step.condition === undefined ? {} : { condition: step.condition }),
  };
  if (step.type === 'task') {
    const retry = step.retry ?? def.defaults.retry;
    return {
      ...common,
      squad: step.squad,
      action: step.action,
      timeoutMs: durationMs(step.timeout ?? def.defaults.timeout),
      onError: step.onError ?? (def.continueOnError ? 'skip' : 'fail'),
      ...(retry && retry.retries > 0 ? { retry: graphRetry(retry) } : {}),
      ...(step.compensate ? { compensation: { squad: step.compensate.squad ?? step.squad, action: step.compensate.action } } : {}),
    };
  }
  const timeoutMs = step.timeout === undefined ? undefined : durationMs(step.timeout);
  const timeout = timeoutMs === undefined ? {} : { timeoutMs };
  if (step.type === 'workflow') {
    return {
      ...common,
      ...timeout,
      onError: step.onError ?? (def.continueOnError ? 'skip' : 'fail'),
      child: { workflow: step.workflow, ...(step.version === undefined ? {} : { version: step.version }), compensate: step.compensate },
      ...(step.retry && step.retry.retries > 0 ? { retry: graphRetry(step.retry) } : {}),
    };
  }
  if (step.type === 'wait') {
    const on = step.execution === undefined ? { signal: step.signal! } : { execution: step.execution };
    return { ...common, ...timeout, ...(step.onError ? { onError: step.onError } : {}), wait: { ...on, ...timeout } };
  }
  // A human task's default key is the one the engine renders (compile/steps/human.ts).
  const signal = step.signal ?? `human_{$execution.id}_${step.name}`;
  return {
    ...common,
    ...timeout,
    wait: { signal, ...timeout },
    human: {
      assignee: step.assignee,
      ...(step.title ? { title: step.title } : {}),
      escalations: step.escalations.map((e) => ({ afterMs: durationMs(e.after), to: e.to })).sort((a, b) => a.afterMs - b.afterMs),
    },
  };
}

function graphRetry(retry: RetryPolicy): GraphRetry {
  return {
    attempts: retry.retries + 1,
    retries: retry.retries,
    initialIntervalMs: durationMs(retry.initialInterval),
    backoffCoefficient: retry.backoffCoefficient,
    maxIntervalMs: durationMs(retry.maxInterval),
    jitter: retry.jitter,
  };
}

/** `300000` → `5m`, `90000` → `90s`: the largest unit that divides the duration exactly. */
export function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
