/** The compiled statechart of a workflow version, as JSON or Mermaid. */
import { compileWorkflow, statechartJson, statechartMermaid, type ChartState, type CompiledWorkflow } from '@squadflow/engine';
import type { WorkflowDefinition } from '@squadflow/shared';

export type { ChartState };

/** Compiling costs about a millisecond: done per request, so no cache can mix up two prefixes' definitions. */
function machineOf(definition: WorkflowDefinition): CompiledWorkflow['machine'] {
  return compileWorkflow(definition, definition.version ?? 1).machine;
}

/** The chart as JSON: states, initial states, entry actions, transitions with guards. */
export function chartJson(definition: WorkflowDefinition): ChartState {
  return statechartJson(machineOf(definition));
}

/** The chart as a Mermaid `stateDiagram-v2`. */
export function chartMermaid(definition: WorkflowDefinition): string {
  return statechartMermaid(machineOf(definition));
}
