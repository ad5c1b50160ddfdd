/**
 * Machines that exercise the parts of XState that squadflow patches
 * (patches/xstate@5.33.3.patch): entering parallel states, conflicting
 * transitions, exit sets, history, wildcards, eventless transitions, final
 * states of parallel regions, and `assign` on an unchanged configuration.
 * Every state logs its entry and exit, so a trace shows the order of
 * everything the algorithm did, not only where it ended.
 */
import type * as XState from 'xstate';
import type { AnyStateMachine } from 'xstate';

type Ctx = { log: string[]; n: number };

const logged = (id: string) => ({
  entry: [{ type: 'log' as const, params: { line: `+${id}` } }],
  exit: [{ type: 'log' as const, params: { line: `-${id}` } }],
});

/** The XState functions the traces use: the installed (patched) package, or another copy to compare with. */
export type XStateApi = Pick<typeof XState, 'setup' | 'assign' | 'initialTransition' | 'transition'>;

/** The machines and the events each one is driven through. */
export function scripts({ setup, assign }: XStateApi): Array<{ name: string; machine: AnyStateMachine; events: string[] }> {
  const base = setup({
    types: {} as { context: Ctx; events: { type: string } },
    actions: {
      log: assign(({ context }, params: { line: string }) => ({ log: [...context.log, params.line] })),
      count: assign(({ context }) => ({ n: context.n + 1 })),
    },
    guards: { odd: ({ context }) => context.n % 2 === 1 },
  });

  /** Nested parallel regions, deep targets into them, and transitions that conflict across and within regions. */
  const nested = base.createMachine({
    id: 'm',
    context: { log: [], n: 0 },
    initial: 'p',
    states: {
      p: {
        type: 'parallel',
        ...logged('p'),
        on: { E: { target: '#m.done', actions: [{ type: 'log', params: { line: 'p:E' } }] }, OUT: '#m.done' },
        states: {
          a: {
            initial: 'a1',
            ...logged('a'),
            states: {
              a1: { ...logged('a1'), on: { E: 'a2', DEEP: '#m.p.b.b2.deep', X: { target: '#m.done' } } },
              a2: { ...logged('a2'), on: { E: 'a1', X: 'a1' } },
            },
          },
          b: {
            type: 'parallel',
            ...logged('b'),
            states: {
              b1: {
                initial: 'x',
                ...logged('b1'),
                states: { x: { ...logged('x'), on: { E: 'y', X: 'y' } }, y: { ...logged('y'), type: 'final' } },
              },
              b2: {
                initial: 'top',
                ...logged('b2'),
                states: {
                  top: { ...logged('top'), on: { E: { target: 'top', reenter: true } } },
                  deep: { ...logged('deep'), initial: 'd1', states: { d1: logged('d1') } },
                },
              },
            },
          },
          c: { ...logged('c') },
        },
      },
      done: { ...logged('done'), on: { BACK: 'p' } },
    },
  });

  /** Regions that finish one by one (`onDone` of nested parallels), history, a wildcard and an eventless transition. */
  const finishing = base.createMachine({
    id: 'f',
    context: { log: [], n: 0 },
    initial: 'run',
    states: {
      run: {
        type: 'parallel',
        ...logged('run'),
        onDone: { target: 'over', actions: [{ type: 'log', params: { line: 'run:done' } }] },
        states: {
          r1: {
            initial: 'go',
            ...logged('r1'),
            states: { go: { ...logged('go1'), on: { 'finish.*': 'end' } }, end: { ...logged('end1'), type: 'final' } },
          },
          r2: {
            type: 'parallel',
            ...logged('r2'),
            onDone: { actions: [{ type: 'log', params: { line: 'r2:done' } }] },
            states: {
              s: {
                initial: 'one',
                ...logged('s'),
                states: {
                  one: { ...logged('one'), on: { NEXT: 'two' } },
                  two: { ...logged('two'), on: { NEXT: 'end' } },
                  end: { ...logged('send'), type: 'final' },
                  hist: { type: 'history' },
                },
                on: { JUMP: { target: '.hist', actions: [{ type: 'count' }] } },
              },
              t: {
                initial: 'idle',
                ...logged('t'),
                states: {
                  idle: { ...logged('idle'), on: { '*': { guard: 'odd', target: 'end' }, TICK: { actions: [{ type: 'count' }] } } },
                  end: { ...logged('tend'), type: 'final' },
                },
              },
            },
          },
          r3: {
            initial: 'wait',
            ...logged('r3'),
            states: {
              wait: { ...logged('wait'), always: { guard: 'odd', target: 'end' } },
              end: { ...logged('end3'), type: 'final' },
            },
          },
        },
      },
      over: { ...logged('over'), type: 'final' },
    },
  });

  return [
    { name: 'nested', machine: nested, events: ['E', 'E', 'DEEP', 'X', 'BACK', 'E', 'OUT', 'BACK', 'X'] },
    { name: 'finishing', machine: finishing, events: ['NEXT', 'JUMP', 'TICK', 'finish.now', 'NEXT', 'NEXT', 'OTHER'] },
  ];
}

/** The state value, the log and the status after the initial transition and after each event. */
export function trace(machine: AnyStateMachine, events: string[], api: XStateApi): unknown[] {
  const out: unknown[] = [];
  const note = (s: unknown) => {
    const snap = s as { value: unknown; status: string; context: Ctx; tags: Set<string> };
    out.push({ value: snap.value, status: snap.status, log: snap.context.log, n: snap.context.n });
  };
  let [s] = api.initialTransition(machine);
  note(s);
  for (const type of events) {
    [s] = api.transition(machine, s as never, { type });
    note(s);
  }
  return out;
}
