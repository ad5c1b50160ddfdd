import { setTimeout as sleep } from 'node:timers/promises';
import { workflow } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSquad, type ActionContext } from '../src/index.ts';
import { startEngine, type EngineRig } from './engine.ts';
import { createHarness, type Harness } from './harness.ts';

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
let h: Harness | undefined;
afterEach(async () => {
  await rig?.close();
  await h?.close();
  rig = h = undefined;
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

  it('publishes the first heartbeat at once and coalesces a burst into one later publication with the latest progress', async () => {
    h = await createHarness();
    let handlerDone = false;
    await h.start({
      definition: defineSquad({
        name: 'billing',
        actions: {
          // A 400 ms timeout gives a 200 ms throttle interval (half the span), keeping the test short.
          burst: {
            timeout: '400ms',
            handler: async (_input: unknown, ctx: ActionContext) => {
              for (let i = 1; i <= 10; i++) ctx.heartbeat({ i });
              await h!.heartbeats.next();
              await h!.heartbeats.next();
              handlerDone = true;
              return { beats: 10 };
            },
          },
        },
      }),
    });
    const command = h.command({ action: 'burst' });
    await h.send(command);
    const reply = await h.replies.next();

    expect(reply).toMatchObject({ ok: true, output: { beats: 10 } });
    expect(handlerDone).toBe(true);
    expect(h.heartbeats.items).toEqual([
      expect.objectContaining({ kind: 'heartbeat', executionId: command.executionId, step: command.step, attempt: 1, progress: { i: 1 } }),
      expect.objectContaining({ progress: { i: 10 } }),
    ]);
    const [first, second] = h.heartbeats.items;
    expect(second!.at! - first!.at!).toBeGreaterThanOrEqual(195); // one 200 ms interval (timers may round a few ms early)
  });

  it("extend the squad's own deadline past the action timeout, while a twin without heartbeats times out", async () => {
    h = await createHarness();
    const deadlines: number[] = [];
    await h.start({
      definition: defineSquad({
        name: 'billing',
        actions: {
          beating: {
            timeout: '300ms',
            handler: async (_input: unknown, ctx: ActionContext) => {
              deadlines.push(ctx.deadline);
              const out = await crunch(700, 100, ctx, true);
              deadlines.push(ctx.deadline);
              return out;
            },
          },
          quiet: { timeout: '300ms', handler: (_input: unknown, ctx: ActionContext) => crunch(700, 100, ctx, false) },
        },
      }),
    });
    await h.send(h.command({ action: 'beating' }));
    await h.send(h.command({ action: 'quiet' }));
    const replies = [await h.replies.next(), await h.replies.next()];

    expect(replies.find((r) => r.ok)).toMatchObject({ output: { slices: 7 } });
    expect(replies.find((r) => !r.ok)).toMatchObject({ error: { code: 'TIMEOUT', retryable: true } });
    expect(deadlines[1]! - deadlines[0]!).toBeGreaterThanOrEqual(500);
  });

  it('never throws into the handler, even when the progress cannot be serialised', async () => {
    h = await createHarness();
    await h.start({
      actions: {
        odd: (_input, ctx) => {
          ctx.heartbeat({ big: 10n });
          ctx.heartbeat();
          return { fine: true };
        },
      },
    });
    await h.send(h.command({ action: 'odd' }));

    expect(await h.replies.next()).toMatchObject({ ok: true, output: { fine: true } });
  });
});
