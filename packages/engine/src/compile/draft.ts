/**
 * Copy-on-write within one transition. The context updates (context-ops.ts)
 * are pure: each returns a new context and leaves its input alone. Copying
 * the `steps` record (one entry per step) or the outbox on every update made
 * an event that moves many steps at once (a wide workflow's start, a fan-out,
 * a halt) cost steps × moved steps. While the runner computes a transition,
 * a container copied by that transition belongs to it, and further updates
 * in the same transition write to it in place: nothing outside has seen it.
 * Containers of the snapshot the transition started from, and of every
 * earlier one, are never written. Outside a draft (XState's own
 * `transition()`, tests) every update copies, as before.
 */
let owned: WeakSet<object> | undefined;

/** Runs one synchronous transition with its own draft (nested drafts are separate). */
export function inDraft<T>(transition: () => T): T {
  const outer = owned;
  owned = new WeakSet();
  try {
    return transition();
  } finally {
    owned = outer;
  }
}

/** `container` itself when this transition made it, else a copy that this transition now owns. */
export function writable<T extends object>(container: T, copy: (from: T) => T): T {
  if (owned?.has(container)) return container;
  const mine = copy(container);
  owned?.add(mine);
  return mine;
}

/** Marks containers built during this transition (e.g. a new execution's context) as its own. */
export function own<T extends object>(container: T): T {
  owned?.add(container);
  return container;
}
