import { afterEach, describe, expect, it } from 'vitest';
import { names as makeNames, silentLogger, workflow } from '@squadflow/shared';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { machineEvent } from '../src/compile/events.ts';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';

describe('group commit', () => {
  let transport: Transport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
  });

  it('applies events queued for one execution together: each takes effect once, with one KV write for the group', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    const client = await EngineClient.connect({ transport });
    const task = { squad: 'nobody', action: 'x' };
    const fan = workflow('fan')
      .task('a', task)
      .task('b', task)
      .task('c', task)
      .task('d', task)
      .task('join', { ...task, dependsOn: ['a', 'b', 'c', 'd'] });
    await client.registerWorkflow(fan.build());
    const id = await client.trigger('fan', {});
    await clock.advance(0);
    await orchestrator.idle();
    const kv = await transport.kv(makeNames('sqf').buckets.executions);
    const before = (await kv.get(id))!.revision;

    const reply = (step: string) => machineEvent.reply(step, false, { attempt: 1, ok: true, output: { step } });
    const results = await Promise.all([
      orchestrator.apply(id, reply('a')),
      orchestrator.apply(id, reply('b')),
      orchestrator.apply(id, reply('a')), // a duplicate inside the group: stale, not applied twice
      orchestrator.apply(id, reply('c')),
      orchestrator.apply(id, reply('d')),
    ]);

    expect(results).toEqual(['applied', 'applied', 'stale', 'applied', 'applied']);
    const after = (await kv.get(id))!;
    expect(after.revision - before).toBe(1);
    const view = await client.getExecution(id);
    expect(view?.steps.filter((s) => s.status === 'completed').map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    // The join was dispatched by the group's combined outbox.
    expect(view?.steps.find((s) => s.name === 'join')?.status).toBe('running');
  });
});
