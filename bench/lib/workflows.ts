/**
 * The benchmark workflows. Step inputs default to the execution context
 * (~200 B), the noop action returns ~200 B: the "~200 B in, ~200 B out".
 */
export const CONTEXT = { payload: 'p'.repeat(180) };

const noop = (name: string, squad: number, dependsOn: string[] = []) => ({
  name,
  squad: `s${squad}`,
  action: 'noop',
  ...(dependsOn.length ? { dependsOn } : {}),
});

/** 4 sequential no-op steps on 4 squads. */
export const chain4 = {
  name: 'bench_chain4',
  steps: [noop('a', 0), noop('b', 1, ['a']), noop('c', 2, ['b']), noop('d', 3, ['c'])],
};

const fanned = Array.from({ length: 16 }, (_, i) => `f${i}`);

/** One step, 16 parallel steps after it, and a join after all 16. */
export const fan16 = {
  name: 'bench_fan16',
  steps: [noop('start', 0), ...fanned.map((f, i) => noop(f, i % 4, ['start'])), noop('join', 3, fanned)],
};

/** Parks on a durable timer due in an hour; nothing is dispatched while the bench runs. */
export const parked = {
  name: 'bench_parked',
  steps: [{ ...noop('later', 0), delay: '1h' }],
};

/**
 * `work` holds in the squad until released (so it is mid-flight when the
 * orchestrator is killed), then `finish` runs: every execution has to
 * progress twice after the restart. A long timeout keeps step timeouts out
 * of the measure.
 */
export const recovery = {
  name: 'bench_recovery',
  steps: [{ name: 'work', squad: 's0', action: 'hold', timeout: '10m' }, noop('finish', 1, ['work'])],
};

/** One no-op step: the cheapest real execution, to fill the stores for the read-scaling bench. */
export const readscale = {
  name: 'bench_readscale',
  steps: [noop('only', 0)],
};
