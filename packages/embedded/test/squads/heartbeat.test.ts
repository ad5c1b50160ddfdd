import { setTimeout as sleep } from 'node:timers/promises';
import { workflow } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSquad, type ActionContext } from '@squadflow/squads';
import { startEngine, type EngineRig } from './engine.ts';

/** Works for `ms` in slices of `every`, heartbeating after each slice when `beat` is set. */
async function crunch(ms: number, every: number, ctx: ActionContext, beat: boolean): Promise<{ slices: number }> {
  let slices = 0;
  for (let done = 0; done < ms; done += every) {
    await sleep(every, undefined, { signal: ctx.signal });
    slices++;
    if (beat) ctx.heartbeat({ slices });
  }
  return { slices };
}

const slow = defineSquad({
  name: 'slow',
  actions: {
    crunch: { output: z.object({ slices: z.number() }), handler: (_input: unknown, ctx: ActionContext) => crunch(1_200, 200, ctx, true) },
    silent: { handler: (_input: unknown, ctx: ActionContext) => crunch(1_200, 200, ctx, false) },
  },
});

let rig: EngineRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('heartbeats', () => {
  it('keep a 1.2 s action alive in a step with a 500 ms timeout, and its progress shows in the execution', async () => {
    rig = await startEngine();
    await rig.squad(slow);
    const options = { squad: 'slow', timeout: '500ms', retry: { retries: 0 } };
    await rig.client.registerWorkflow(
      workflow('hb')
        .task('long', { ...options, action: 'crunch' })
        .build(),
    );
    await rig.client.registerWorkflow(
      workflow('quiet')
        .task('long', { ...options, action: 'silent' })
        .build(),
    );

    const [beating, silent] = await Promise.all([rig.client.trigger('hb', {}), rig.client.trigger('quiet', {})]);
    const [done, timedOut] = await Promise.all([rig.client.waitFor(beating), rig.client.waitFor(silent)]);

    expect(done.status).toBe('completed');
    const step = done.steps.find((s) => s.name === 'long')!;
    expect(step.output).toEqual({ slices: 6 });
    expect(step.attempts).toHaveLength(1);
    expect(step.progress).toMatchObject({ slices: expect.any(Number) });
    expect((step.progress as { slices: number }).slices).toBeGreaterThanOrEqual(2);
    expect(timedOut.status).toBe('failed');
    // The engine's timer and the squad's own deadline fire together: either reports the timeout.
    expect(timedOut.steps[0]!.attempts).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: 'TIMEOUT' }) })]);
  });
});
