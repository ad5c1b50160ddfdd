/**
 * Positions for the workflow graph: ELK's layered algorithm, left to right
 * (dependencies flow rightwards; compensation and escalation edges may point
 * back, which ELK routes around). elkjs is loaded on first use: it is the
 * largest part of the bundle and only graph pages need it.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphEdge, GraphNode } from '../api/types.ts';

export const STEP_SIZE = { width: 210, height: 78 };
export const AUX_SIZE = { width: 170, height: 46 };
export const TERMINAL_SIZE = { width: 64, height: 30 };
/** `__escalated` and `__compensate` carry a sentence. */
export const OUTCOME_SIZE = { width: 150, height: 40 };

/** start, end, and the places failing steps go (`__escalated`, `__compensate`): pills. */
export const isTerminal = (node: GraphNode): boolean =>
  ['start', 'end', 'escalated', 'saga'].includes(node.type) || node.id === '__start' || node.id === '__end';
/** A step's compensation or a human task's escalation level: drawn smaller, beside its step. */
export const isAux = (node: GraphNode): boolean => node.type === 'compensation' || node.type === 'escalation';

export function sizeOf(node: GraphNode) {
  if (node.type === 'escalated' || node.type === 'saga') return OUTCOME_SIZE;
  return isTerminal(node) ? TERMINAL_SIZE : isAux(node) ? AUX_SIZE : STEP_SIZE;
}

export type Positions = Map<string, { x: number; y: number }>;

let elk: Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> | undefined;

export async function layout(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK());
  const ids = new Set(nodes.map((n) => n.id));
  // Dependencies shape the layers. Compensation, escalation and timeout edges between two steps would
  // pull steps backwards, so they are drawn over the result; they do place a node that only they reach.
  const onDependencies = new Set(edges.filter((e) => e.kind === 'dependency').flatMap((e) => [e.from, e.to]));
  const shapesLayers = (e: GraphEdge) => e.kind === 'dependency' || !onDependencies.has(e.from) || !onDependencies.has(e.to);
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.nodeNode': '28',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.edgeRouting': 'SPLINES',
    },
    children: nodes.map((n) => ({ id: n.id, ...sizeOf(n) })),
    edges: edges
      .filter((e) => ids.has(e.from) && ids.has(e.to) && shapesLayers(e))
      .map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const result = await (await elk).layout(graph);
  return new Map((result.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
