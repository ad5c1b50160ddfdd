import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('concurrency limit', () => {
  it('never runs more than `concurrency` handlers at once in a replica, and still answers every command', async () => {
    h = await createHarness();
    let running = 0;
    let peak = 0;
    const squad = await h.start({
      concurrency: 2,
      actions: {
        work: async () => {
          peak = Math.max(peak, ++running);
          await sleep(40); // the work itself; without the limit all five would overlap here
          running--;
          return { peak };
        },
      },
    });
    for (let i = 0; i < 5; i++) await h.send(h.command({ action: 'work' }));
    for (let i = 0; i < 5; i++) expect(await h.replies.next()).toMatchObject({ ok: true });

    expect(peak).toBe(2);
    expect(squad.stats()).toMatchObject({ work: { handled: 5, failed: 0, inFlight: 0, runs: 5 } });
  });
});
