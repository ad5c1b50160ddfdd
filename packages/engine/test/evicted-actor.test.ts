import { afterEach, describe, expect, it } from 'vitest';
import { names, silentLogger, workflow } from '@squadflow/shared';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { WaitIndex } from '../src/store/waits.ts';

describe('an actor restored from KV', () => {
  let orchestrator: Orchestrator | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
  });

  it('performs the effects of its last write before applying a new event (a crash may have cut them short)', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    // Every actor is dropped after each event, so each event finds it in KV, as after a restart.
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), evictAfterEvent: true });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(
      workflow('both')
        .task('work', { squad: 'slow', action: 'run', timeout: '1h' })
        .wait('reply', { signal: 'answer_{id}', timeout: '1h' })
        .build(),
    );
    const id = await client.trigger('both', { id: 7 });
    await clock.advance(0);
    await orchestrator.idle();
    expect(await client.isWaiting('answer_7')).toBe(true);

    // As if the process had died right after persisting, before registering the wait.
    const waits = new WaitIndex(await transport.kv(names('sqf').buckets.waits));
    await waits.unregister('answer_7', id, 'reply');
    expect(await client.isWaiting('answer_7')).toBe(false);

    // Any next event of the execution first finishes the last write's effects: the wait is registered again.
    expect(await orchestrator.apply(id, { type: 'heartbeat.work', attempt: 1, progress: 1 })).toBe('applied');
    expect(await client.isWaiting('answer_7')).toBe(true);
    await client.signal('answer_7', { ok: true });
    await clock.advance(0);
    await orchestrator.idle();
    expect((await client.getExecution(id))?.steps.find((s) => s.name === 'reply')?.status).toBe('completed');
  });
});
