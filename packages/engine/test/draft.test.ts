/**
 * Copy-on-write within one transition (src/compile/draft.ts): the context
 * updates copy each container once per transition, then write to their copy,
 * and never touch the containers of the snapshot they started from.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { compileWorkflow } from '../src/compile/index.ts';
import { completeStep, patchStep, registerWait, startTimer } from '../src/compile/context-ops.ts';
import { machineEvent } from '../src/compile/events.ts';
import { inDraft } from '../src/compile/draft.ts';
import type { ExecutionContext } from '../src/compile/types.ts';
import { largeDefinitions } from './support/large-definitions.ts';

const context = (): ExecutionContext => ({
  executionId: 'ex',
  workflow: 'w',
  version: 1,
  input: {},
  steps: { a: { status: 'running', attempt: 1, attempts: [] }, b: { status: 'blocked', attempt: 0, attempts: [] } },
  completed: [],
  timers: [],
  waits: [],
  outbox: [],
  now: 10,
  startedAt: 0,
});

/** Two updates of every container, as one transition's actions would make them. */
const twoUpdates = (ctx: ExecutionContext) => {
  const first = registerWait(startTimer(patchStep(ctx, 'a', { status: 'completed' }), 'a', 1, 'timeout', 5), 'k1', 'a', 'wait');
  const second = completeStep(
    registerWait(startTimer(patchStep(first, 'b', { status: 'running' }), 'b', 1, 'timeout', 5), 'k2', 'b', 'wait'),
    'b',
    1,
  );
  return { first, second };
};

describe('context updates in a draft', () => {
  it('copy each container once per transition and leave the original context alone', () => {
    const original = context();
    const before = structuredClone(original);
    const { first, second } = inDraft(() => twoUpdates(original));
    expect(original).toEqual(before);
    for (const key of ['steps', 'outbox', 'timers', 'waits', 'volatileTimers'] as const) {
      expect(second[key], key).toBe(first[key]);
      expect(second[key], key).not.toBe(original[key]);
    }
    expect(second.steps['a']!.status).toBe('completed');
    expect(second.steps['b']!.status).toBe('completed');
    expect(second.timers).toEqual(['ex.a.1.timeout', 'ex.b.1.timeout']);
    expect(second.completed).toEqual(['b']);
  });

  it('copy on every update outside a draft, so each result stands alone', () => {
    const { first, second } = twoUpdates(context());
    expect(second.steps).not.toBe(first.steps);
    expect(second.outbox).not.toBe(first.outbox);
    expect(first.steps['b']!.status).toBe('blocked');
    expect(first.outbox).toHaveLength(2);
  });

  it('never write to a container of a snapshot the runner was given', () => {
    const { runner } = compileWorkflow(largeDefinitions.fanOut(20), 1);
    const start = runner.initial({ executionId: 'ex', workflow: 'fanout20', version: 1, input: {}, at: 1 });
    const given = { ...start, context: { ...start.context, outbox: [], now: 2 } };
    const before = JSON.stringify(runner.persist(given));
    const after = runner.transition(given, machineEvent.reply('s0', false, { attempt: 1, ok: true, output: {} }));
    // s0's reply starts the 19 others: one transition updating the context dozens of times.
    expect(after.context.outbox.filter((e) => e.kind === 'dispatch')).toHaveLength(19);
    expect(JSON.stringify(runner.persist(given))).toBe(before);
  });
});

describe('the runner (drafts) and XState’s pure transition()', () => {
  const shapes = Object.entries(largeDefinitions);
  for (const [shape, build] of shapes) {
    it(`compute the same snapshots for a ${shape} workflow: start, replies, a failure that halts the rest`, () => {
      const { machine, runner } = compileWorkflow(build(30), 1);
      const persisted = (s: Parameters<typeof machine.getPersistedSnapshot>[0]) => JSON.stringify(machine.getPersistedSnapshot(s));
      const input = { executionId: 'ex', workflow: shape, version: 1, input: {}, at: 1 };
      let viaRunner = runner.initial(input);
      let viaXstate = initialTransition(machine, input)[0];
      expect(persisted(viaRunner)).toBe(persisted(viaXstate));
      const events = [
        machineEvent.reply('s0', false, { attempt: 1, ok: true, output: { v: 0 } }),
        machineEvent.reply('s2', false, { attempt: 1, ok: true, output: { v: 2 } }),
        machineEvent.timer('s3', { attempt: 1, timer: 'timeout' }),
        machineEvent.reply('s1', false, { attempt: 1, ok: false, error: { message: 'no', retryable: false } }),
      ];
      for (const event of events) {
        const fresh = <S extends { context: ExecutionContext }>(s: S): S => ({
          ...s,
          context: { ...s.context, outbox: [], now: s.context.now + 1 },
        });
        viaRunner = runner.transition(fresh(viaRunner), event);
        viaXstate = transition(machine, fresh(viaXstate), event)[0];
        expect(persisted(viaRunner)).toBe(persisted(viaXstate));
      }
    });
  }
});

describe('volatile timers', () => {
  it('are forgotten once cancelled, the last one too (none is re-armed after a restart)', () => {
    const { machine, runner } = compileWorkflow(largeDefinitions.chain(2), 1);
    const input = { executionId: 'ex', workflow: 'chain2', version: 1, input: {}, at: 1 };
    const replies = ['s0', 's1'].map((step) => machineEvent.reply(step, false, { attempt: 1, ok: true, output: {} }));
    let viaRunner = runner.initial(input);
    let viaXstate = initialTransition(machine, input)[0];
    expect(Object.keys(viaRunner.context.volatileTimers ?? {})).toEqual(['ex.s0.1.timeout']);
    for (const reply of replies) {
      viaRunner = runner.transition(viaRunner, reply);
      viaXstate = transition(machine, viaXstate, reply)[0];
    }
    expect(viaRunner.status).toBe('done');
    for (const done of [viaRunner, viaXstate]) {
      expect(done.context.timers).toEqual([]);
      expect(done.context.volatileTimers ?? {}).toEqual({});
    }
  });
});
