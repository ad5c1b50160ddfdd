import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, EngineClient, Orchestrator, type Transport } from '../src/index.ts';
import { ManualClock } from '../src/manual-clock.ts';

describe('an actor restored from KV', () => {
  let orchestrator: Orchestrator | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
  });

  it('applies a new event without sending its last command again (the attempt may still be running)', async () => {
    const clock = new ManualClock();
    const base = createMemoryTransport({ clock });
    const published: string[] = [];
    // Count every publish the engine makes, before any deduplication.
    transport = {
      ...base,
      streams: {
        ...base.streams,
        ensure: (c) => base.streams.ensure(c),
        consume: (s, o, h) => base.streams.consume(s, o, h),
        remove: (n) => base.streams.remove(n),
        publish: (subject, data, options) => {
          published.push(subject);
          return base.streams.publish(subject, data, options);
        },
      },
      kv: (b, o) => base.kv(b, o),
      removeKv: (b) => base.removeKv(b),
      close: () => base.close(),
    };
    // Every actor is dropped after each event, as a long-running step's actor is once the cache moves on.
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), evictAfterEvent: true });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(workflow('long').task('work', { squad: 'slow', action: 'run', timeout: '1h' }).build());
    const id = await client.trigger('long', {});
    await clock.advance(0);
    await orchestrator.idle();
    const commands = () => published.filter((s) => s.includes('.cmd.')).length;
    expect(commands()).toBe(1);

    // A heartbeat of the running attempt: a real event (it re-arms the timeout), applied to a restored actor.
    expect(await orchestrator.apply(id, { type: 'heartbeat.work', attempt: 1, progress: { done: 1 } })).toBe('applied');
    await clock.advance(10 * 60_000);
    expect(await orchestrator.apply(id, { type: 'heartbeat.work', attempt: 1, progress: { done: 2 } })).toBe('applied');
    expect(commands()).toBe(1);
    expect((await client.getExecution(id))?.steps[0]?.progress).toEqual({ done: 2 });
  });
});
