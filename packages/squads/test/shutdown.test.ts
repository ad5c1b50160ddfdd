import { workflow } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSquad, type ActionContext, type SquadDefinition } from '../src/index.ts';
import { gate, startEngine, type EngineRig } from './engine.ts';
import { createHarness, type Harness } from './harness.ts';

let rig: EngineRig | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await rig?.close();
  await h?.close();
  rig = h = undefined;
});

describe('graceful shutdown', () => {
  it('lets a handler that finishes within the grace reply during stop(), and stop() resolves only after that reply', async () => {
    h = await createHarness();
    const started = gate();
    const release = gate();
    const squad = await h.start({
      shutdownGraceMs: 5_000,
      actions: {
        charge: async (_input, ctx) => {
          started.open();
          await release.promise;
          return { aborted: ctx.signal.aborted };
        },
      },
    });
    await h.send(h.command({ action: 'charge' }));
    await started.promise;

    const stopping = squad.stop();
    release.open();
    await stopping;

    expect(h.publishedReplies.items.map((p) => p.reply)).toEqual([expect.objectContaining({ ok: true, output: { aborted: false } })]);
  });

  it('aborts a handler that outlives the grace, answers it INTERRUPTED, and the engine retries the step on another replica', async () => {
    rig = await startEngine();
    const runs: { replica: string; attempt: number; abortedBy?: string }[] = [];
    const started = gate();
    const replica = (name: string): SquadDefinition =>
      defineSquad({
        name: 'worker',
        actions: {
          job: {
            handler: async (_input: unknown, ctx: ActionContext) => {
              const run: (typeof runs)[number] = { replica: name, attempt: ctx.attempt };
              runs.push(run);
              if (name === 'first') {
                started.open();
                // A well-behaved long handler: it stops when its signal aborts.
                await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
                run.abortedBy = (ctx.signal.reason as Error).name;
              }
              return { by: name };
            },
          },
        },
      });
    const first = await rig.squad(replica('first'), { shutdownGraceMs: 100 });
    await rig.client.registerWorkflow(
      workflow('handover')
        .task('job', { squad: 'worker', action: 'job', retry: { retries: 1, initialInterval: 10 } })
        .build(),
    );
    const id = await rig.client.trigger('handover', {});
    await started.promise;
    await rig.squad(replica('second'));

    await first.stop();
    const view = await rig.client.waitFor(id);

    expect(view.status).toBe('completed');
    expect(view.steps[0]!.output).toEqual({ by: 'second' });
    expect(view.steps[0]!.attempts).toMatchObject([
      { attempt: 1, status: 'failed', error: { code: 'INTERRUPTED', retryable: true } },
      { attempt: 2, status: 'completed' },
    ]);
    expect(runs).toEqual([
      { replica: 'first', attempt: 1, abortedBy: 'AbortError' },
      { replica: 'second', attempt: 2 },
    ]);
  });

  it('answers INTERRUPTED without waiting for a handler that ignores its aborted signal', async () => {
    h = await createHarness();
    const started = gate();
    const squad = await h.start({
      shutdownGraceMs: 50,
      actions: {
        stuck: () => {
          started.open();
          return new Promise(() => {}); // never settles, never looks at the signal
        },
      },
    });
    await h.send(h.command({ action: 'stuck' }));
    await started.promise;
    await squad.stop();

    expect(h.publishedReplies.items.map((p) => p.reply)).toEqual([
      expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'INTERRUPTED', retryable: true }) }),
    ]);
    expect(squad.stats()).toMatchObject({ stuck: { handled: 1, failed: 1, inFlight: 0 } });
  });
});
