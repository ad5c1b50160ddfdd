/** One step on the graph: its name, squad.action, what delays or guards it, and its live state as the colour. */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode, StepView } from '../api/types.ts';
import { duration, relative } from '../format.ts';
import { nodeState } from './node-state.ts';

/** `live`: drawn for an execution (states coloured); else for a definition (no state). */
export type StepNodeData = { node: GraphNode; step?: StepView; live: boolean; key?: string };
export type StepFlowNode = Node<StepNodeData, 'step'>;

export function StepNode({ data }: NodeProps<StepFlowNode>) {
  const { node, step, live, key } = data;
  const state = live ? nodeState(step?.status) : 'static';
  const attempts = step?.attempts.filter((a) => !a.compensation).length ?? 0;
  const facts: string[] = [];
  // What is armed now (the execution's timers) replaces the definition's durations while it applies.
  if (step?.delayUntil) facts.push(`starts ${relative(step.delayUntil)}`);
  else if (node.delayMs) facts.push(`delay ${duration(node.delayMs)}`);
  if (step?.nextRetryAt) facts.push(`retry ${relative(step.nextRetryAt)}`);
  if (step?.attemptDeadline) facts.push(`times out ${relative(step.attemptDeadline)}`);
  else if (node.timeoutMs && !node.wait) facts.push(`timeout ${duration(node.timeoutMs)}`);
  if (node.wait) {
    const timeout = node.wait.timeoutMs ?? node.timeoutMs;
    const due = step?.deadline ? `due ${relative(step.deadline)}` : timeout ? `timeout ${duration(timeout)}` : '';
    facts.push([`signal ${key ?? node.wait.signal}`, due].filter(Boolean).join(' · '));
  }
  if (node.onError && node.onError !== 'fail') facts.push(`onError ${node.onError}`);
  if (node.condition) facts.push(`if ${node.condition}`);
  // What the step does: the squad action, or for a human task who is asked.
  const subtitle = node.squad ? `${node.squad}.${node.action ?? ''}` : node.human ? `human → ${node.human.assignee}` : node.type;
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
