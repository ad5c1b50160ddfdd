/**
 * The workflow graph as a Mermaid `flowchart`: one box per step with its
 * squad.action (or signal key, or assignee), timeout and retries; edges
 * between steps labelled with delays, conditions and required outcomes;
 * compensation and escalation edges dashed. For people reading a workflow;
 * the machine's own states stay available as JSON (`statechartJson`).
 */
import { formatMs, type GraphEdge, type GraphNode, type WorkflowGraph } from './workflow-graph.ts';

/** Longest condition shown in a label (the full text is in the graph JSON). */
const MAX_CONDITION = 60;

export function graphMermaid(graph: WorkflowGraph): string {
  // Mermaid ids: positional, so no step name can collide with Mermaid syntax (`end`, `-`).
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const lines = ['flowchart TD'];
  for (const node of graph.nodes) lines.push(`  ${ids.get(node.id)}${shape(node)}`);
  for (const edge of graph.edges) {
    const label = edgeLabel(edge, byId.get(edge.to));
    const arrow = edge.kind === 'compensation' || edge.kind === 'escalation' ? '-.->' : '-->';
    lines.push(`  ${ids.get(edge.from)} ${arrow}${label ? `|"${escape(label)}"|` : ''} ${ids.get(edge.to)}`);
  }
  return lines.join('\n');
}

function shape(node: GraphNode): string {
  const text = escape(nodeLines(node).join('\n')).replaceAll('\n', '<br/>');
  switch (node.type) {
    case 'start':
    case 'end':
      return `(["${text}"])`;
    case 'wait':
    case 'human':
      return `{{"${text}"}}`;
    case 'workflow':
      return `[["${text}"]]`;
    case 'compensation':
    case 'escalation':
    case 'escalated':
    case 'saga':
      return `>"${text}"]`;
    default:
      return `["${text}"]`;
  }
}

function nodeLines(node: GraphNode): string[] {
  const stepKinds: GraphNode['type'][] = ['task', 'wait', 'human', 'workflow'];
  const lines = [stepKinds.includes(node.type) ? `${node.label} (${node.type})` : node.label];
  if (node.child) lines.push(`runs ${node.child.workflow}${node.child.version === undefined ? '' : ` v${node.child.version}`}`);
  if (node.squad && node.action && node.type === 'task') lines.push(`${node.squad}.${node.action}`);
  if (node.type === 'human' && node.human)
    lines.push(`assignee: ${node.human.assignee}${node.human.title ? ` · ${node.human.title}` : ''}`);
  if (node.wait?.signal !== undefined) lines.push(`signal: ${node.wait.signal}`);
  if (node.wait?.execution !== undefined) lines.push(`until execution ${node.wait.execution} ends`);
  const limits: string[] = [];
  if (node.timeoutMs !== undefined) limits.push(`timeout ${formatMs(node.timeoutMs)}`);
  if (node.retry) limits.push(`retry ${node.retry.retries}× from ${formatMs(node.retry.initialIntervalMs)}`);
  if (node.onError && node.onError !== 'fail') limits.push(`on error: ${node.onError}`);
  if (limits.length) lines.push(limits.join(' · '));
  return lines;
}

/** A dependency edge shows what gates the step it leads to: the outcome required, its delay and its condition. */
function edgeLabel(edge: GraphEdge, to: GraphNode | undefined): string {
  const parts: string[] = edge.label ? [edge.label] : [];
  if (edge.kind === 'dependency' || edge.kind === 'timeout') {
    if (to?.delayMs) parts.push(`wait ${formatMs(to.delayMs)}`);
    if (to?.condition) {
      const c = to.condition;
      parts.push(`if ${c.length > MAX_CONDITION ? `${c.slice(0, MAX_CONDITION - 1)}…` : c}`);
    }
  }
  return parts.join(' · ');
}

/** Mermaid entity codes for the characters that would end a quoted label or open markup. */
function escape(text: string): string {
  return text.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;').replaceAll('|', '#124;');
}
