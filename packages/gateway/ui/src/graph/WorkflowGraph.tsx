/**
 * The workflow's graph (xyflow, laid out by ELK left to right) with, when
 * `steps` is given, each step's live state as its colour. The layout is
 * computed once per graph; live updates only recolour the nodes.
 */
import { Background, Controls, MarkerType, ReactFlow, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import type { StepView, WorkflowGraph as Graph } from '../api/types.ts';
import { EDGE_STYLES } from './edge-styles.ts';
import { isAux, isTerminal, layout, sizeOf, STEP_SIZE, type Positions } from './layout.ts';
import { Legend } from './Legend.tsx';
import { AuxNode, StepNode, TerminalNode, type AuxFlowNode, type StepFlowNode, type TerminalFlowNode } from './StepNode.tsx';

const nodeTypes = { step: StepNode, terminal: TerminalNode, aux: AuxNode };

/** `compensate:<step>` and `escalate:<step>:<level>` belong to `<step>`. */
const ownerStep = (id: string): string => id.split(':')[1] ?? id;

/** As tall as the laid-out graph (plus the legend), within bounds: no empty band above and below a chain. */
function frameHeight(positions: Positions | null): number {
  if (!positions || positions.size === 0) return 200;
  const ys = [...positions.values()].map((p) => p.y);
  const height = Math.max(...ys) - Math.min(...ys) + STEP_SIZE.height;
  return Math.min(480, Math.max(190, height + 110));
}

/** `keys`: the resolved signal key each waiting step waits on (the execution's `waits`). */
export function WorkflowGraph({
  graph,
  steps,
  ended,
  keys,
}: {
  graph: Graph;
  steps?: StepView[];
  ended?: boolean;
  keys?: Map<string, string>;
}) {
  const [positions, setPositions] = useState<Positions | null>(null);
  const [layoutError, setLayoutError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setPositions(null);
    layout(graph.nodes, graph.edges).then(
      (p) => live && setPositions(p),
      (err: unknown) => live && setLayoutError(String(err)),
    );
    return () => {
      live = false;
    };
  }, [graph]);

  const byName = useMemo(() => new Map((steps ?? []).map((s) => [s.name, s])), [steps]);
  const nodes = useMemo(() => {
    if (!positions) return [];
    return graph.nodes.map((node): StepFlowNode | TerminalFlowNode | AuxFlowNode => {
      const position = positions.get(node.id) ?? { x: 0, y: 0 };
      const common = { id: node.id, position, draggable: false, ...sizeOf(node) };
      if (isTerminal(node)) {
        const statuses = (steps ?? []).map((s) => s.status);
        const reached =
          node.type === 'escalated'
            ? statuses.includes('escalated')
            : node.type === 'saga'
              ? statuses.some((s) => s === 'compensating' || s === 'compensated')
              : node.id === '__start'
                ? steps !== undefined
                : Boolean(ended);
        return { ...common, type: 'terminal', data: { label: node.label, reached } };
      }
      if (isAux(node)) {
        const owner = byName.get(ownerStep(node.id))?.status ?? '';
        const active = node.type === 'compensation' ? ['compensating', 'compensated'].includes(owner) : owner === 'escalated';
        return { ...common, type: 'aux', data: { node, active } };
      }
      return { ...common, type: 'step', data: { node, step: byName.get(node.id), live: steps !== undefined, key: keys?.get(node.id) } };
    });
  }, [graph, positions, byName, steps, ended, keys]);

  const edges = useMemo(() => {
    const ids = new Set(graph.nodes.map((n) => n.id));
    return graph.edges
      .filter((e) => ids.has(e.from) && ids.has(e.to))
      .map((e): Edge => {
        const style = EDGE_STYLES[e.kind] ?? EDGE_STYLES.dependency;
        const running = e.kind === 'dependency' && byName.get(e.to)?.status === 'running';
        return {
          id: e.id,
          source: e.from,
          target: e.to,
          // A compensation edge's dashed purple says it all; its label would sit on the step it leaves.
          label: e.kind === 'compensation' ? undefined : e.label,
          animated: running,
          type: e.kind === 'dependency' ? 'default' : 'smoothstep',
          style: { stroke: style.stroke, strokeWidth: 1.5, strokeDasharray: style.dash },
          markerEnd: { type: MarkerType.ArrowClosed, color: style.stroke, width: 16, height: 16 },
          labelStyle: { fontSize: 10, fill: style.stroke },
          labelBgStyle: { fill: '#fff' },
        };
      });
  }, [graph, byName]);

  if (layoutError) return <div className="error-box">layout failed: {layoutError}</div>;
  return (
    <div className="graph-frame" data-testid="workflow-graph" style={{ height: frameHeight(positions) }}>
      {positions ? (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: 0.1, maxZoom: 1, minZoom: 0.55 }}
          minZoom={0.2}
          nodesConnectable={false}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={16} color="#e5e7eb" />
          <Controls showInteractive={false} position="top-right" />
        </ReactFlow>
      ) : (
        <div className="muted pad">laying out…</div>
      )}
      <Legend kinds={[...new Set(graph.edges.map((e) => e.kind))]} live={steps !== undefined} />
    </div>
  );
}
