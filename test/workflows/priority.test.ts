/** A saturated squad gets higher-priority executions' steps first (orchestrator dispatch limits). */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTransport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger, workflow } from '@squadflow/shared';
import { defineSquad, startSquad, type RunningSquad } from '@squadflow/squads';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('priorities', () => {
  it('dispatches the waiting steps of a saturated squad highest priority first', async () => {
    const transport = createMemoryTransport();
    const logger = silentLogger();
    const orchestrator = await Orchestrator.start({ transport, logger, squadLimits: { busy: 1 } });
    const order: number[] = [];
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const squad: RunningSquad = await startSquad({
      transport,
      logger,
      definition: defineSquad({
        name: 'busy',
        actions: {
          work: async (input: unknown) => {
            const { n } = input as { n: number };
            order.push(n);
            if (n === 0) await blocked; // holds the squad's only place while the others queue
            return { n };
          },
        },
      }),
    });
    const client = await EngineClient.connect({ transport });
    cleanup = async () => {
      await squad.stop();
      await orchestrator.stop();
      await transport.close();
    };
    await client.registerWorkflow(workflow('job').task('work', { squad: 'busy', action: 'work', timeout: '1m' }).build());

    const first = await client.trigger('job', { n: 0 }, { priority: 5 });
    await client.waitFor(first, ['running']);
    const ids = [
      await client.trigger('job', { n: 1 }, { priority: 1 }),
      await client.trigger('job', { n: 2 }, { priority: 1 }),
      await client.trigger('job', { n: 3 }, { priority: 9 }),
    ];
    await Promise.all(ids.map((id) => client.waitFor(id, ['running'])));
    expect(order).toEqual([0]); // the others wait for the squad
    unblock();
    await Promise.all([first, ...ids].map((id) => client.waitFor(id)));
    expect(order).toEqual([0, 3, 1, 2]);
  });
});
