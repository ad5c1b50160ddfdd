import { workflow } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSquad, type ActionContext, type SquadDefinition } from '@squadflow/squads';
import { gate } from '@squadflow/transport/testing';
import { startEngine, type EngineRig } from './engine.ts';

let rig: EngineRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('graceful shutdown', () => {
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
});
