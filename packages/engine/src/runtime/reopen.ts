import type { CompiledWorkflow, MachineEvent } from '../compile/index.ts';
import type { Snapshot } from './execution-cache.ts';

/**
 * A `compensate` request for a completed execution (a parent's saga reaches
 * its child: docs/child-workflows.md). The snapshot is final, and XState
 * takes no event in a final state, so the request is applied to the same
 * context placed in the machine's `reopened` state, whose one transition
 * starts the saga over the completed steps (compile/execution-links.ts).
 * Anything else, or an execution that ended another way, is left as it is.
 */
export function reopenForCompensation(workflow: CompiledWorkflow, snapshot: Snapshot, event: MachineEvent): Snapshot {
  if (event.type !== 'compensate' || snapshot.status !== 'done' || snapshot.value !== 'completed') return snapshot;
  return workflow.machine.resolveState({ value: 'reopened', context: snapshot.context }) as unknown as Snapshot;
}
