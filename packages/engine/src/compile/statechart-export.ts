import type { WorkflowMachine } from './machine.ts';

/** A state of the exported chart: plain JSON, for people and tools. */
export interface ChartState {
  id: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  initial?: string;
  entry: string[];
  transitions: Array<{ event: string; target: string[]; guard?: string; actions: string[] }>;
  states: Record<string, ChartState>;
}

interface NodeLike {
  id: string;
  key: string;
  type: ChartState['type'];
  initial?: { target: NodeLike[] };
  states: Record<string, NodeLike>;
  entry: Array<{ type?: string } | string>;
  transitions: Map<
    string,
    Array<{ eventType: string; target?: NodeLike[]; guard?: { type?: string } | string; actions: Array<{ type?: string } | string> }>
  >;
}

const label = (a: { type?: string } | string | undefined): string => (typeof a === 'string' ? a : (a?.type ?? '?'));

/** The compiled statechart as JSON: states, initial states, entry actions, transitions with guards. */
export function statechartJson(machine: WorkflowMachine): ChartState {
  const walk = (node: NodeLike): ChartState => ({
    id: node.id,
    type: node.type,
    ...(node.initial?.target[0] ? { initial: node.initial.target[0].key } : {}),
    entry: node.entry.map(label),
    transitions: [...node.transitions.values()].flat().map((t) => ({
      event: t.eventType,
      target: (t.target ?? []).map((x) => x.id),
      ...(t.guard ? { guard: label(t.guard) } : {}),
      actions: t.actions.map(label),
    })),
    states: Object.fromEntries(Object.entries(node.states).map(([k, v]) => [k, walk(v)])),
  });
  return walk(machine.root as unknown as NodeLike);
}

/** The compiled statechart as a Mermaid `stateDiagram-v2` (regions of the parallel state separated by `--`). */
export function statechartMermaid(machine: WorkflowMachine): string {
  const chart = statechartJson(machine);
  const ids = new Map<string, string>();
  const idOf = (path: string): string => {
    let id = ids.get(path);
    if (!id) ids.set(path, (id = `s${ids.size}`));
    return id;
  };
  const lines = ['stateDiagram-v2'];
  // Mermaid scopes `[*]` and edges to the block they are written in, so each
  // composite state lists its children, then the edges among them.
  const emit = (state: ChartState, indent: string): void => {
    const children = Object.values(state.states);
    children.forEach((child, i) => {
      const id = idOf(child.id);
      lines.push(`${indent}state "${child.id.split('.').pop()}" as ${id}`);
      if (children.length && Object.keys(child.states).length) {
        lines.push(`${indent}state ${id} {`);
        emit(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (state.type === 'parallel' && i < children.length - 1) lines.push(`${indent}--`);
    });
    if (state.initial) lines.push(`${indent}[*] --> ${idOf(`${state.id}.${state.initial}`)}`);
    for (const child of children) {
      const id = idOf(child.id);
      if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
      for (const t of child.transitions) {
        for (const target of t.target) lines.push(`${indent}${id} --> ${idOf(target)} : ${t.event}${t.guard ? ` [${t.guard}]` : ''}`);
      }
    }
  };
  emit(chart, '  ');
  return lines.join('\n');
}
