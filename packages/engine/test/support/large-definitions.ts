/**
 * Definitions of many steps, for tests of how compiling and running scale
 * with the number of steps. Every step is a task of squad `sq` with nothing
 * to evaluate, so it is dispatched as soon as its dependencies settle.
 */
const task = (i: number, dependsOn?: string[]) => ({ name: `s${i}`, squad: 'sq', action: 'a', ...(dependsOn ? { dependsOn } : {}) });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const largeDefinitions = {
  /** s0 -> s1 -> ... -> s(n-1). */
  chain: (n: number) => ({ name: `chain${n}`, steps: range(n).map((i) => task(i, i ? [`s${i - 1}`] : undefined)) }),
  /** n independent steps: all start at once. */
  wide: (n: number) => ({ name: `wide${n}`, steps: range(n).map((i) => task(i)) }),
  /** s0, then every other step after it: all start on s0's reply. */
  fanOut: (n: number) => ({ name: `fanout${n}`, steps: range(n).map((i) => task(i, i ? ['s0'] : undefined)) }),
  /** n-1 independent steps, then one that depends on all of them. */
  fanIn: (n: number) => ({
    name: `fanin${n}`,
    steps: [
      ...range(n - 1).map((i) => task(i)),
      task(
        n - 1,
        range(n - 1).map((i) => `s${i}`),
      ),
    ],
  }),
};
