import { afterEach, describe, expect, it } from 'vitest';
import { defineSquad, type ActionContext } from '../src/index.ts';
import { createHarness, type Harness } from './harness.ts';

/** Waits for the abort and reports its reason as the rejection, like fetch does. */
function untilAborted(ctx: ActionContext): Promise<never> {
  return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('per-action default timeout', () => {
  it('aborts the attempt at start + timeout even when the command allows longer, and replies a retryable TIMEOUT', async () => {
    h = await createHarness();
    const seen: { deadline: number; reason: unknown; at: number }[] = [];
    await h.start({
      definition: defineSquad({
        name: 'billing',
        actions: {
          charge: {
            timeout: '150ms',
            handler: async (_input: unknown, ctx: ActionContext) => {
              const deadline = ctx.deadline;
              try {
                return await untilAborted(ctx);
              } finally {
                seen.push({ deadline, reason: ctx.signal.reason, at: Date.now() });
              }
            },
          },
        },
      }),
    });
    const sentAt = Date.now();
    await h.send(h.command({ action: 'charge', deadline: sentAt + 60_000 }));
    const reply = await h.replies.next();

    expect(reply).toMatchObject({ ok: false, error: { code: 'TIMEOUT', retryable: true } });
    expect(seen[0]!.deadline - sentAt).toBeLessThan(1_000);
    expect(seen[0]!.at).toBeGreaterThanOrEqual(seen[0]!.deadline - 5); // timers may round a millisecond early
    expect(seen[0]!.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('keeps the command deadline when it comes before the action timeout', async () => {
    h = await createHarness();
    const deadlines: number[] = [];
    await h.start({
      definition: defineSquad({
        name: 'billing',
        actions: {
          charge: { timeout: '1h', handler: (_input: unknown, ctx: ActionContext) => (deadlines.push(ctx.deadline), untilAborted(ctx)) },
        },
      }),
    });
    const command = h.command({ action: 'charge', deadline: Date.now() + 100 });
    await h.send(command);

    expect(await h.replies.next()).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(deadlines).toEqual([command.deadline]);
  });
});
