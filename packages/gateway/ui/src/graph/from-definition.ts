/**
 * A graph drawn in the browser from a definition, for a gateway that predates
 * `GET /v1/workflows/{name}/graph`: steps and their dependencies only (the
 * route also resolves defaults, escalations and compensations).
 */
import type { GraphEdge, GraphNode, WorkflowGraph } from '../api/types.ts';

export interface DefinitionLike {
  name: string;
  version?: number;
  steps: Array<{
    name: string;
    type?: string;
    squad?: string;
    action?: string;
    signal?: string;
    assignee?: string;
    condition?: string;
    onError?: string;
    dependsOn?: Array<string | { step: string; on: string }>;
  }>;
}

export function graphFromDefinition(definition: DefinitionLike): WorkflowGraph {
  const nodes: GraphNode[] = [{ id: '__start', type: 'start', label: 'start' }];
  const edges: GraphEdge[] = [];
  const depended = new Set<string>();
  for (const step of definition.steps) {
    nodes.push({
      id: step.name,
      type: step.type ?? 'task',
      label: step.name,
      squad: step.squad,
      action: step.action,
      condition: step.condition,
      onError: step.onError,
      ...(step.signal ? { wait: { signal: step.signal } } : {}),
      ...(step.assignee ? { human: { assignee: step.assignee, escalations: [] } } : {}),
    });
    const deps = step.dependsOn ?? [];
    if (deps.length === 0) edges.push({ id: `__start->${step.name}`, from: '__start', to: step.name, kind: 'dependency' });
    for (const dep of deps) {
      const from = typeof dep === 'string' ? dep : dep.step;
      depended.add(from);
      const label = typeof dep === 'string' ? undefined : dep.on;
      edges.push({ id: `${from}->${step.name}`, from, to: step.name, kind: 'dependency', label });
    }
  }
  nodes.push({ id: '__end', type: 'end', label: 'end' });
  for (const step of definition.steps) {
    if (!depended.has(step.name)) edges.push({ id: `${step.name}->__end`, from: step.name, to: '__end', kind: 'dependency' });
  }
  return { workflow: definition.name, version: definition.version ?? 0, nodes, edges };
}
