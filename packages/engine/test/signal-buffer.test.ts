import { afterEach, describe, expect, it } from 'vitest';
import { names, silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { MAX_SIGNALS_PER_KEY, SignalBuffer } from '../src/store/signal-buffer.ts';

const HOUR = 60 * 60 * 1000;
const n = names('sqf');

describe('the buffer of signals nobody waited for', () => {
  let transport: Transport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
    orchestrator = transport = undefined;
  });

  it('forgets a signal after its ttl: the bucket expires it, and a read ignores one older than the ttl', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    const buffer = await SignalBuffer.open(transport, n, { ttlMs: HOUR, maxSignalBytes: 1_024, maxBytes: 1_000_000 });
    expect(await buffer.put('k', { signalId: 's1', receivedAt: clock.now() }, 100)).toBe('buffered');
    await clock.advance(HOUR - 1);
    expect(await buffer.peek('k')).toMatchObject({ signalId: 's1' });
    await clock.advance(1);
    expect(await buffer.peek('k')).toBeUndefined();
    expect(await (await transport.kv(n.buckets.signals)).keys()).toEqual([]);

    // A bucket made earlier with a longer ttl still holds it; the read side applies the configured one.
    const kv = await transport.kv(n.buckets.signals);
    await kv.put('old', new TextEncoder().encode(JSON.stringify({ signalId: 's0', receivedAt: clock.now() - HOUR })));
    expect(await buffer.peek('old')).toBeUndefined();
  });

  it('does not keep a signal over the per-signal bound, nor any once the bucket is full, and never drops what it holds', async () => {
    transport = createMemoryTransport();
    const buffer = await SignalBuffer.open(transport, n, { ttlMs: HOUR, maxSignalBytes: 2_000, maxBytes: 3_000 });
    const data = 'x'.repeat(1_000);
    expect(await buffer.put('big', { signalId: 'b', receivedAt: Date.now(), data }, 2_001)).toBe('too_large');
    expect(await buffer.put('a', { signalId: 'a', receivedAt: Date.now(), data }, 1_100)).toBe('buffered');
    expect(await buffer.put('b', { signalId: 'b', receivedAt: Date.now(), data }, 1_100)).toBe('buffered');
    expect(await buffer.put('c', { signalId: 'c', receivedAt: Date.now(), data }, 1_100)).toBe('full');
    expect(await buffer.peek('big')).toBeUndefined();
    expect(await buffer.peek('a')).toMatchObject({ signalId: 'a' });
    expect(await buffer.peek('c')).toBeUndefined();
  });

  it('queues the signals of a key in arrival order, once per signal id, and clears one without the others', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    const buffer = await SignalBuffer.open(transport, n);
    await buffer.put('k', { signalId: 'first', receivedAt: clock.now() }, 10);
    await clock.advance(1_000);
    await buffer.put('k', { signalId: 'second', receivedAt: clock.now() }, 10);
    expect(await buffer.put('k', { signalId: 'first', receivedAt: clock.now() }, 10)).toBe('buffered'); // a redelivery
    expect(await buffer.peek('k')).toMatchObject({ signalId: 'first' });
    expect(await buffer.peek('k', clock.now())).toMatchObject({ signalId: 'second' }); // the oldest since a time
    await buffer.clear('k', 'first');
    expect(await buffer.peek('k')).toMatchObject({ signalId: 'second' });
    await buffer.clear('k', 'second');
    expect(await buffer.peek('k')).toBeUndefined();
    expect(await (await transport.kv(n.buckets.signals)).keys()).toEqual([]);
  });

  it(`keeps at most ${MAX_SIGNALS_PER_KEY} signals per key, and reads a record an older version wrote (one signal)`, async () => {
    transport = createMemoryTransport();
    const buffer = await SignalBuffer.open(transport, n);
    for (let i = 0; i < MAX_SIGNALS_PER_KEY; i++) {
      expect(await buffer.put('k', { signalId: `s${i}`, receivedAt: Date.now() }, 10)).toBe('buffered');
    }
    expect(await buffer.put('k', { signalId: 'one-too-many', receivedAt: Date.now() }, 10)).toBe('full');
    const kv = await transport.kv(n.buckets.signals);
    await kv.put('old', new TextEncoder().encode(JSON.stringify({ signalId: 'legacy', receivedAt: Date.now() })));
    expect(await buffer.peek('old')).toMatchObject({ signalId: 'legacy' });
  });

  it('hands a burst of signals to successive waits one by one, oldest first', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(workflow('turn').wait('answer', { signal: 'chat_{id}', timeout: '1h', lookback: '1h' }).build());
    await client.signal('chat_1', { n: 1 });
    await client.signal('chat_1', { n: 2 });
    await clock.advance(0);
    await orchestrator.idle();
    const outputs: unknown[] = [];
    for (const turn of ['a', 'b', 'c']) {
      const id = await client.trigger('turn', { id: 1 }, { idempotencyKey: turn });
      await clock.advance(0);
      await orchestrator.idle();
      outputs.push((await client.getExecution(id))?.steps[0]?.output ?? 'still waiting');
    }
    expect(outputs).toEqual([{ n: 1 }, { n: 2 }, 'still waiting']);
  });

  it('an orchestrator counts and logs the signals it could not buffer; a wait armed later does not get them', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), signalBuffer: { maxSignalBytes: 200 } });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(workflow('waiter').wait('answer', { signal: 'answer_{id}', timeout: '1h', lookback: '1h' }).build());

    await client.signal('answer_1', { text: 'x'.repeat(300) }); // nobody waits, and too large to keep
    await client.signal('answer_2', { text: 'short' }); // nobody waits: buffered
    await clock.advance(0);
    await orchestrator.idle();
    expect(orchestrator.stats().signalsNotBuffered).toEqual({ tooLarge: 1, full: 0 });

    const one = await client.trigger('waiter', { id: 1 });
    const two = await client.trigger('waiter', { id: 2 });
    await clock.advance(0);
    await orchestrator.idle();
    expect((await client.getExecution(two))?.status).toBe('completed'); // the buffered signal resumed it
    expect((await client.getExecution(one))?.status).toBe('waiting');
  });
});

describe('buffered signals expire', () => {
  it('a signal older than 24 h no longer resumes a wait, however long its lookback', async () => {
    const clock = new ManualClock();
    const transport = createMemoryTransport({ clock });
    const orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    try {
      const client = await EngineClient.connect({ transport });
      await client.registerWorkflow(workflow('late').wait('answer', { signal: 'answer_{id}', timeout: '7d', lookback: '3d' }).build());
      await client.signal('answer_old', { n: 1 });
      await client.signal('answer_new', { n: 2 });
      await clock.advance(0);
      await orchestrator.idle();
      await clock.advance(25 * HOUR);
      await client.signal('answer_new', { n: 3 }); // sent again: kept afresh
      const old = await client.trigger('late', { id: 'old' });
      const fresh = await client.trigger('late', { id: 'new' });
      await clock.advance(0);
      await orchestrator.idle();
      expect((await client.getExecution(fresh))?.status).toBe('completed');
      expect((await client.getExecution(old))?.status).toBe('waiting');
    } finally {
      await orchestrator.stop();
      await transport.close();
    }
  });
});
