import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSquad, type ActionContext } from '../src/index.ts';
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

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('heartbeats', () => {
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
