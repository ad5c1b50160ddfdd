import { writable } from './draft.ts';
import type { MachineState } from './machine-names.ts';
import { act, type GuardArgs } from './machine-kit.ts';
import type { Plans } from './steps/kind.ts';
import type { Watcher } from './types.ts';

/**
 * How executions follow one another (docs/child-workflows.md): watchers
 * (a parent's `workflow` step, a wait on this execution) are recorded in the
 * context and told when it ends (the loop adds the notices: runtime/end-notices.ts),
 * and a completed child can be asked to compensate.
 *
 * A completed execution's snapshot is final, so XState takes no more events
 * for it. A `compensate` request for one is applied to the same snapshot
 * placed in `reopened` (runtime/reopen.ts), a state entered only that way:
 * its one transition runs the saga over the completed steps as any saga
 * runs, and the execution ends `compensated`.
 */
export function reopenedState(): MachineState {
  return {
    on: {
      compensate: [
        { guard: 'hasCompensable', target: 'compensating', actions: ['reopenForCompensation'] },
        { target: 'compensated', actions: ['reopenForCompensation'] },
      ],
    },
  };
}

export function linkGuards(plans: Plans) {
  return {
    hasCompensable: ({ context }: GuardArgs) => context.completed.some(plans.compensable),
  };
}

const sameWatcher = (a: Watcher, b: Watcher): boolean => a.executionId === b.executionId && a.step === b.step && a.attempt === b.attempt;

export function linkActions() {
  return {
    addWatcher: act((ctx, e) => {
      if (e.type !== 'watch' || ctx.watchers?.some((w) => sameWatcher(w, e.watcher))) return ctx;
      const watchers = writable(ctx.watchers ?? [], (list) => list.slice());
      watchers.push(e.watcher);
      return { ...ctx, watchers };
    }),
    /** Only the parent's compensation attempt is told of this end; the watchers of the first end were told then. */
    reopenForCompensation: act((ctx, e) =>
      e.type === 'compensate' ? { ...ctx, watchers: [e.watcher], failure: undefined, compensation: undefined } : ctx,
    ),
  };
}
