/** The compiled statechart of a workflow version, as JSON or Mermaid. */
import { statechartJson, statechartMermaid, type ChartState, type CompiledWorkflow } from '@squadflow/engine';

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

/** The chart as a Mermaid `stateDiagram-v2`. */
export function chartMermaid(workflow: CompiledWorkflow): string {
  return statechartMermaid(workflow.machine);
}
