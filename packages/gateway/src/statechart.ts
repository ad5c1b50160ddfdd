/** A workflow version drawn for people: its graph (JSON or a Mermaid flowchart), and the compiled XState chart. */
import {
  graphMermaid,
  statechartJson,
  statechartMermaid,
  workflowGraph,
  type ChartState,
  type CompiledWorkflow,
  type WorkflowGraph,
} from '@squadflow/engine';

export type { ChartState };

/**
 * The chart as JSON: states, initial states, entry actions, transitions with
 * guards. The workflow comes from the engine client's cache (one compile per
 * version and process): compiling a large definition per request would hold
 * up every other request.
 */
export function chartJson(workflow: CompiledWorkflow): ChartState {
  return statechartJson(workflow.machine);
}

/** The steps, their dependencies, compensations and escalations (engine `workflowGraph`). */
export function graphOf(workflow: CompiledWorkflow): WorkflowGraph {
  return workflowGraph(workflow.definition, workflow.version);
}

/** The workflow graph as a Mermaid `flowchart`: what a person reads. */
export function chartMermaid(workflow: CompiledWorkflow): string {
  return graphMermaid(graphOf(workflow));
}

/** The compiled XState chart as a Mermaid `stateDiagram-v2` (every internal state of every step region). */
export function xstateMermaid(workflow: CompiledWorkflow): string {
  return statechartMermaid(workflow.machine);
}
