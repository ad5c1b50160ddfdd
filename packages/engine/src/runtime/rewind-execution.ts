import type { ControlMessage, Logger } from '@squadflow/shared';
import type { Clock } from '@squadflow/transport';
import { decodeContext } from '../compile/context-schema.ts';
import { internalEvent } from '../compile/events.ts';
import type { CompiledWorkflow } from '../compile/index.ts';
import { rewindRefusal, rewindSubject, rewoundExecution, withoutRearmedReleases } from '../compile/rewind.ts';
import type { ExecutionStore } from '../store/execution-store.ts';
import type { WorkflowRegistry } from '../store/registry.ts';
import { withContext, type EventApplier } from './event-applier.ts';
import type { Snapshot } from './execution-cache.ts';
import { recordFor } from './record-builder.ts';

export type RewindControl = Extract<ControlMessage, { action: 'rewind' }>;

export interface RewindDeps {
  applier: EventApplier;
  executions: ExecutionStore;
  registry: WorkflowRegistry;
  clock: Clock;
  logger: Logger;
}

/** `applied`: rewound and running; `stale`: this control was applied already; `refused`: the execution cannot be rewound (logged). */
export type RewindResult = 'applied' | 'stale' | 'refused' | 'missing';

/**
 * Applies a rewind control (retry from a step, compile/rewind.ts): in the
 * execution's turn, read the record, check it can be rewound (the client
 * checked too, but anyone may publish a control), build the rewound
 * snapshot, let the machine start what is ready (`settled`), resolve its
 * evaluations, write it with a compare-and-set on the revision read, then
 * perform its outbox (released timers and waits, `execution.rewound`, the
 * first dispatches). A redelivered control finds its id among the
 * execution's rewinds and changes nothing.
 */
export function rewindExecution(deps: RewindDeps, control: RewindControl): Promise<RewindResult> {
  const { executionId, fromStep, controlId } = control;
  return deps.applier.exclusive(executionId, async () => {
    // Set by the last run of the mutation (a lost compare-and-set runs it again on the newer record).
    const outcome: { result: RewindResult; rewound?: { snapshot: Snapshot; workflow: CompiledWorkflow } } = { result: 'missing' };
    const refuse = (why: string): undefined => {
      outcome.result = 'refused';
      deps.logger.warn({ executionId, fromStep }, `retry from step refused: ${why}`);
      return undefined;
    };
    const mutation = await deps.executions.mutate(executionId, async (current) => {
      outcome.result = 'missing';
      delete outcome.rewound;
      if (!current) return undefined;
      const ctx = decodeContext(executionId, current.snapshot);
      if (ctx?.rewinds?.some((r) => r.id === controlId)) {
        outcome.result = 'stale';
        return undefined;
      }
      if (!ctx || current.version === undefined) return refuse('the execution never started');
      const workflow = await deps.registry.get(current.workflow, current.version);
      const refusal = rewindRefusal(rewindSubject(current, ctx), workflow.plan, fromStep);
      if (refusal) return refuse(refusal.message);
      const at = deps.clock.now();
      const previousStatus = current.status === 'escalated' ? 'escalated' : 'failed';
      const built = rewoundExecution(ctx, workflow.plan, fromStep, { id: controlId, at, previousStatus });
      const base = workflow.machine.resolveState({ value: built.value, context: built.context }) as unknown as Snapshot;
      // What a completed step raises: each reset step whose dependencies are settled starts (or is skipped).
      const settled = await deps.applier.settle(workflow, workflow.runner.transition(base, internalEvent.settled));
      const snapshot = withContext(settled, { outbox: withoutRearmedReleases(settled.context.outbox) });
      outcome.rewound = { snapshot, workflow };
      outcome.result = 'applied';
      return recordFor(workflow, snapshot, current);
    });
    const { rewound } = outcome;
    if (outcome.result !== 'applied') return outcome.result;
    if (!mutation.written || !mutation.record || !rewound) return 'stale';
    // The cached actor (an escalated execution's) is the state before the rewind.
    deps.applier.forget(executionId);
    await deps.applier.commit({ record: mutation.record.value, revision: mutation.record.revision, ...rewound, effectsDone: false });
    deps.logger.info({ executionId, fromStep, status: mutation.record.value.status }, 'execution rewound');
    return 'applied';
  });
}
