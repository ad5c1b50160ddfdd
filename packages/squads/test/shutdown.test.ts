import { afterEach, describe, expect, it } from 'vitest';
import { gate } from '@squadflow/transport/testing';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
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
