/**
 * Two orchestrator replicas share the work, and each caches the actors it
 * touched. An event that is stale for a replica's cached actor may be current
 * for the execution in KV (the other replica moved it on): it must be judged
 * on the stored execution, not dropped. Found by the compose deployment proof
 * (test/deploy/compose-processes.test.ts): replies for commands one replica
 * dispatched, consumed by the other, were acked as stale and the steps waited
 * for their timeouts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '../src/index.ts';

describe('a replica whose cached actor is behind KV', () => {
  const orchestrators: Orchestrator[] = [];
  let transport: Transport | undefined;
  afterEach(async () => {
    await Promise.all(orchestrators.splice(0).map((o) => o.stop()));
    await transport?.close();
  });

  it('applies a reply for an attempt the other replica dispatched, instead of dropping it as stale', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    const [a, b] = await Promise.all([0, 1].map(() => Orchestrator.start({ transport: transport!, logger: silentLogger() })));
    orchestrators.push(a!, b!);
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(
      workflow('relay')
        .task('first', { squad: 'slow', action: 'run', timeout: '1h' })
        .task('second', { squad: 'slow', action: 'run', timeout: '1h', dependsOn: ['first'] })
        .build(),
    );
    const id = await client.trigger('relay', {});
    await clock.advance(0);
    await Promise.all([a!.idle(), b!.idle()]);

    // B caches the execution as it stands: `first` running.
    expect(await b!.apply(id, { type: 'heartbeat.first', attempt: 1, progress: 1 })).toBe('applied');
    // A moves it on: `first` completes, `second` is dispatched (attempt 1). B's cached copy is now behind.
    expect(await a!.apply(id, { type: 'reply.first', attempt: 1, ok: true, output: {} })).toBe('applied');
    // `second`'s reply reaches B: stale for B's copy (where `second` has not started), current in KV.
    expect(await b!.apply(id, { type: 'reply.second', attempt: 1, ok: true, output: {} })).toBe('applied');
    expect((await client.getExecution(id))?.status).toBe('completed');

    // A reply that is stale for the stored execution too is still recognised as stale (one KV read, no write).
    expect(await a!.apply(id, { type: 'reply.first', attempt: 1, ok: true, output: {} })).toBe('ended');
  });
});
