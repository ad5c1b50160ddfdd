import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { SquadflowError, workflow } from '@squadflow/shared';
import { compileWorkflow } from '../src/compile/index.ts';
import { backoffMs } from '../src/compile/backoff.ts';

const def = workflow('chart')
  .task('a', { squad: 's', action: 'x' })
  .task('b', { squad: 's', action: 'x', dependsOn: ['a'], delay: '5m' })
  .wait('w', { signal: 'k_{id}', timeout: '2h', dependsOn: ['a'] })
  .task('c', { squad: 's', action: 'x', dependsOn: [{ step: 'w', on: 'timeout' }, 'b'] })
  .build();

describe('definition compiler', () => {
  it('compiles a definition to a parallel state with one region per step and no eventless transitions', () => {
    const { machine } = compileWorkflow(def, 1);
    const running = machine.root.states['running']!;
    expect(running.type).toBe('parallel');
    expect(Object.keys(running.states)).toEqual(['a', 'b', 'w', 'c']);
    expect(Object.keys(running.states['b']!.states)).toContain('delayed');
    expect(Object.keys(running.states['w']!.states)).toContain('waiting');
    const eventless = JSON.stringify(machine.root.definition).includes('"always"');
    expect(eventless).toBe(false);
  });

  it('is pure: the same event on the same snapshot records the same effects, with deterministic ids and no clock reads', () => {
    const { machine } = compileWorkflow(def, 1);
    const input = { executionId: 'ex_1', workflow: 'chart', version: 1, input: { id: 7 }, at: 1_000 };
    const [s1] = initialTransition(machine, input);
    const [s2] = initialTransition(machine, input);
    expect(JSON.stringify(machine.getPersistedSnapshot(s1))).toBe(JSON.stringify(machine.getPersistedSnapshot(s2)));
    // `a` needs no evaluation: the initial transition already dispatches it, with ids from the execution, step and attempt.
    expect(s1.context.outbox).toEqual([
      { kind: 'lifecycle', id: 'ex_1.execution.started..0', type: 'execution.started' },
      {
        kind: 'dispatch',
        id: 'ex_1.a.1',
        step: 'a',
        attempt: 1,
        squad: 's',
        action: 'x',
        compensation: false,
        input: { id: 7 },
        deadline: 31_000,
      },
      { kind: 'timer.start', id: 'ex_1.a.1.timeout', step: 'a', attempt: 1, timer: 'timeout', dueAt: 31_000 },
    ]);
    const ready = { ...s1, context: { ...s1.context, outbox: [], now: 2_000 } } as typeof s1;
    const [n1] = transition(machine, ready, { type: 'reply.a', attempt: 1, ok: true, output: { v: 1 } });
    const [n2] = transition(machine, ready, { type: 'reply.a', attempt: 1, ok: true, output: { v: 1 } });
    expect(n1.context.outbox).toEqual(n2.context.outbox);
    expect(n1.context.outbox).toContainEqual({ kind: 'timer.cancel', id: 'ex_1.a.1.timeout' });
    expect(n1.context.outbox).toContainEqual({ kind: 'evaluate', step: 'w', purpose: 'step' });
  });

  it("runs the same transitions on its reused actor scope as XState's pure transition()", () => {
    const compiled = compileWorkflow(def, 1);
    const { machine, runner } = compiled;
    const input = { executionId: 'ex_2', workflow: 'chart', version: 1, input: { id: 3 }, at: 500 };
    const persisted = (s: Parameters<typeof machine.getPersistedSnapshot>[0]) => JSON.stringify(machine.getPersistedSnapshot(s));
    let viaRunner = runner.initial(input);
    let viaXstate = initialTransition(machine, input)[0];
    expect(persisted(viaRunner)).toBe(persisted(viaXstate));
    const events = [
      { type: 'eval.a', run: true },
      { type: 'reply.a', attempt: 1, ok: true, output: { v: 1 } },
      { type: 'eval.b', run: true },
      { type: 'eval.w', run: true, key: 'k_3' },
      { type: 'reply.a', attempt: 1, ok: true, output: { v: 1 } },
    ] as const;
    for (const event of events) {
      const before = viaRunner;
      viaRunner = runner.transition(viaRunner, event);
      viaXstate = transition(machine, viaXstate, event)[0];
      expect(persisted(viaRunner)).toBe(persisted(viaXstate));
      // The last event is a duplicate reply: nothing moves, and the runner says so with the same object.
      if (event === events[4]) expect(viaRunner).toBe(before);
      // Its persisted form is XState's, without the walk for actor references.
      expect(JSON.parse(JSON.stringify(runner.persist(viaRunner)))).toEqual(JSON.parse(persisted(viaRunner)));
    }
    expect(viaRunner.context.steps['a']!.status).toBe('completed');
  });

  it('ignores a reply for an attempt other than the current one', () => {
    const { machine } = compileWorkflow(def, 1);
    const [s] = initialTransition(machine, { executionId: 'ex_1', workflow: 'chart', version: 1, input: { id: 7 }, at: 0 });
    const [running] = transition(machine, s, { type: 'eval.a', run: true });
    const [stale] = transition(machine, running, { type: 'reply.a', attempt: 2, ok: true, output: {} });
    expect(stale).toBe(running);
  });

  it('rejects a cycle, naming the steps in it', () => {
    const cyclic = {
      name: 'loop',
      steps: [
        { name: 'a', squad: 's', action: 'x', dependsOn: ['b'] },
        { name: 'b', squad: 's', action: 'x', dependsOn: ['a'] },
      ],
    };
    const err = (() => {
      try {
        compileWorkflow(cyclic, 1);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).code).toBe('INVALID_DEFINITION');
    expect((err as SquadflowError).issues[0]!.message).toBe('step "a" is in a dependency cycle: a -> b -> a');
  });
});

describe('retry backoff', () => {
  const policy = { retries: 5, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '10s', jitter: 0.2 };

  it('grows exponentially within its jitter band and stops at the max interval', () => {
    for (const [attempt, base] of [
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
      [5, 10_000],
      [9, 10_000],
    ] as const) {
      const ms = backoffMs(policy, attempt, 'ex_1.step');
      expect(ms).toBeGreaterThanOrEqual(base * 0.8);
      expect(ms).toBeLessThanOrEqual(base * 1.2);
    }
  });

  it('is deterministic per execution, step and attempt, and differs between executions', () => {
    expect(backoffMs(policy, 3, 'ex_1.step')).toBe(backoffMs(policy, 3, 'ex_1.step'));
    const spread = new Set(Array.from({ length: 20 }, (_, i) => backoffMs(policy, 3, `ex_${i}.step`)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe('statechart export', () => {
  it('exports the compiled chart as JSON with guards and as a Mermaid state diagram', async () => {
    const { statechartJson, statechartMermaid } = await import('../src/compile/index.ts');
    const { machine } = compileWorkflow(def, 1);
    const json = statechartJson(machine);
    const region = json.states['running']!.states['a']!;
    // `a` has no condition and no input mapping: it starts without an evaluation round; `w` renders its key first.
    expect(region.initial).toBe('running');
    expect(json.states['running']!.states['w']!.initial).toBe('blocked');
    expect(Object.keys(region.states)).toContain('evaluating');
    expect(region.states['running']!.transitions).toContainEqual({
      event: 'reply.a',
      target: ['workflow.running.a.completed'],
      guard: 'replyOk',
      actions: ['succeed', 'raiseSettled'],
    });
    const mermaid = statechartMermaid(machine);
    expect(mermaid.split('\n')[0]).toBe('stateDiagram-v2');
    expect(mermaid).toContain('--'); // parallel regions
    expect(mermaid).toMatch(/: timer\.w \[isTimer\]/);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
