/** One step on the graph: its name, squad.action, what delays or guards it, and its live state as the colour. */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode, StepView } from '../api/types.ts';
import { duration, relative } from '../format.ts';
import { nodeState } from './node-state.ts';

/** `live`: drawn for an execution (states coloured); else for a definition (no state). */
export type StepNodeData = { node: GraphNode; step?: StepView; live: boolean };
export type StepFlowNode = Node<StepNodeData, 'step'>;

/** The wait deadline: the step's start plus its timeout, while it waits. */
function deadline(step: StepView | undefined, timeoutMs: number | undefined): number | undefined {
  return step?.startedAt !== undefined && timeoutMs !== undefined ? step.startedAt + timeoutMs : undefined;
}

export function StepNode({ data }: NodeProps<StepFlowNode>) {
  const { node, step, live } = data;
  const state = live ? nodeState(step?.status) : 'static';
  const attempts = step?.attempts.filter((a) => !a.compensation).length ?? 0;
  const facts: string[] = [];
  if (node.delayMs) facts.push(`delay ${duration(node.delayMs)}`);
  if (node.timeoutMs && !node.wait) facts.push(`timeout ${duration(node.timeoutMs)}`);
  if (node.wait) {
    const due = deadline(step, node.wait.timeoutMs);
    facts.push(
      `signal ${node.wait.signal}${node.wait.timeoutMs ? ` · ${due && state === 'waiting' ? `due ${relative(due)}` : duration(node.wait.timeoutMs)}` : ''}`,
    );
  }
  if (node.human) {
    const due = deadline(step, node.timeoutMs);
    facts.push(`human → ${node.human.assignee}${due && state === 'waiting' ? ` · due ${relative(due)}` : ''}`);
  }
  if (node.onError && node.onError !== 'fail') facts.push(`onError ${node.onError}`);
  if (node.condition) facts.push(`if ${node.condition}`);
  const subtitle = node.squad ? `${node.squad}.${node.action ?? ''}` : node.type;
  return (
    <div
      className={`step-node state-${state}`}
      data-testid={`node-${node.id}`}
      data-state={state}
      title={[node.label, subtitle, ...facts, live ? `status: ${step?.status ?? 'not reached'}` : ''].join('\n').trim()}
    >
      <Handle type="target" position={Position.Left} />
      <div className="step-node-head">
        <span className="step-node-name">{node.label}</span>
        <span className="step-node-status">{live ? (step?.status ?? 'pending') : node.type}</span>
      </div>
      <div className="step-node-sub mono">{subtitle}</div>
      {facts.length > 0 && <div className="step-node-facts">{facts.join(' · ')}</div>}
      {attempts > 1 && <div className="step-node-attempts">{attempts} attempts</div>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export type TerminalFlowNode = Node<{ label: string; reached: boolean }, 'terminal'>;

/** start, end, `__escalated` and `__compensate`. */
export function TerminalNode({ data, id }: NodeProps<TerminalFlowNode>) {
  const outcome = id !== '__start' && id !== '__end';
  return (
    <div className={`terminal-node ${outcome ? 'outcome' : ''} ${data.reached ? 'reached' : ''}`} data-testid={`node-${id}`}>
      <Handle type="target" position={Position.Left} />
      {data.label}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export type AuxFlowNode = Node<{ node: GraphNode; active: boolean }, 'aux'>;

/** A compensation (squad.action) or an escalation level (to whom, after how long). */
export function AuxNode({ data }: NodeProps<AuxFlowNode>) {
  const { node, active } = data;
  const sub = node.squad ? `${node.squad}.${node.action ?? ''}` : (node.human?.assignee ?? node.description ?? '');
  return (
    <div
      className={`aux-node aux-${node.type} ${active ? 'active' : ''}`}
      data-testid={`node-${node.id}`}
      title={[node.label, sub].join('\n')}
    >
      <Handle type="target" position={Position.Left} />
      <div className="aux-label">{node.label}</div>
      {sub && <div className="mono aux-sub">{sub}</div>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}
