/**
 * squadflow patches XState (patches/xstate@5.33.3.patch) so that machines
 * with many parallel regions cost work linear in their regions (see
 * compile-scaling.test.ts). The patches change how XState computes, not what:
 * these machines, driven through their events, produce the traces that
 * unpatched XState 5.33.3 produced (unpatched-traces.json: state values,
 * every entry and exit in order, context), recorded by running trace() with
 * the package as published.
 */
import { describe, expect, it } from 'vitest';
import * as xstate from 'xstate';
import { scripts, trace } from './trace-machines.ts';
import unpatched from './unpatched-traces.json' with { type: 'json' };

describe('patched XState', () => {
  for (const { name, machine, events } of scripts(xstate)) {
    it(`runs the "${name}" machine exactly as unpatched XState did`, () => {
      expect(trace(machine, events, xstate)).toEqual(unpatched[name as keyof typeof unpatched]);
    });
  }

  it('keeps state values and tags right across assigns that leave the configuration alone', () => {
    const machine = xstate.setup({ types: {} as { context: { n: number }; events: { type: 'INC' } | { type: 'GO' } } }).createMachine({
      context: { n: 0 },
      initial: 'a',
      states: {
        a: { tags: ['first'], on: { INC: { actions: xstate.assign({ n: ({ context }) => context.n + 1 }) }, GO: 'b' } },
        b: { tags: ['second'] },
      },
    });
    let [s] = xstate.initialTransition(machine);
    [s] = xstate.transition(machine, s, { type: 'INC' });
    [s] = xstate.transition(machine, s, { type: 'INC' });
    expect([s.value, s.context.n, s.hasTag('first'), s.hasTag('second')]).toEqual(['a', 2, true, false]);
    [s] = xstate.transition(machine, s, { type: 'GO' });
    expect([s.value, s.context.n, s.hasTag('first'), s.hasTag('second')]).toEqual(['b', 2, false, true]);
  });
});
