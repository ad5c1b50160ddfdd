import { createEmptyActor, type AnyActorScope, type SnapshotFrom } from 'xstate';
import { inDraft } from './draft.ts';
import type { WorkflowMachine } from './machine.ts';
import type { MachineEvent, MachineInput } from './types.ts';

/** A workflow actor's snapshot (pure data plus XState's helpers). */
export type WorkflowSnapshot = SnapshotFrom<WorkflowMachine>;

/** Snapshot members that are methods or live references, left out of the persisted form (as XState does). */
const HELPERS = ['_nodes', 'tags', 'machine', 'children', 'can', 'hasTag', 'matches', 'getMeta', 'toJSON'];

/** Pure transitions of one compiled machine, on one actor scope built once. */
export interface MachineRunner {
  /** The snapshot after the machine's entry (what `initialTransition` returns). */
  initial(input: MachineInput): WorkflowSnapshot;
  /** The next snapshot for `event`; the same object when nothing moves. */
  transition(snapshot: WorkflowSnapshot, event: MachineEvent): WorkflowSnapshot;
  /**
   * The JSON form of a snapshot, as `machine.getPersistedSnapshot` builds it,
   * minus its deep walk of the context looking for actor references: ours is
   * plain JSON by construction (no spawned actors, no history states).
   */
  persist(snapshot: WorkflowSnapshot): unknown;
}

/**
 * XState's `transition(machine, snapshot, event)` builds a throwaway actor
 * on every call, and that actor computes an initial snapshot (running the
 * context factory) only to be discarded: 40-50% of the cost of a transition
 * in the benchmark's profile. The actor scope it builds is inert (no
 * children, no delayed events, actions not executed), so one scope per
 * machine serves every call. Our machines never spawn, invoke or use `after`,
 * so nothing is ever registered in the scope's system; the executable
 * actions XState would hand back are ignored, as before (effects live in the
 * context's outbox). Each call is one draft (draft.ts): the context updates
 * of that transition copy each container once.
 */
export function machineRunner(machine: WorkflowMachine): MachineRunner {
  // The scope's `self` is never used by our machines (no spawn, no sendTo, no delays). An actor of
  // the machine itself would compute a throwaway initial snapshot at compile time: every region entered.
  const self = createEmptyActor();
  const scope = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
  return {
    initial: (input) => inDraft(() => machine.getInitialSnapshot(scope as never, input)),
    transition: (snapshot, event) => inDraft(() => machine.transition(snapshot, event as never, scope as never)),
    persist: (snapshot) => {
      const json = { ...(snapshot as unknown as Record<string, unknown>) };
      for (const helper of HELPERS) delete json[helper];
      return { ...json, children: {}, historyValue: {} };
    },
  };
}
