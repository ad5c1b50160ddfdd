import { describe, expect, it } from 'vitest';
import { createMemoryTransport, subjectMatches } from '../src/adapters.ts';
import { isSubsetOf, subjectsOverlap } from '../src/subject-pattern.ts';
import type { Clock, DeliveredMessage } from '../src/ports.ts';
import { portsContract } from '../src/testing/contract/ports.contract.ts';
import { Collector, flushImmediates, within } from '../src/testing/async.ts';

portsContract('memory', async () => {
  const transport = createMemoryTransport();
  return { transport, cleanup: () => transport.close() };
});

/** A clock that only moves when told to; fires due timers in time order. */
class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private ids = 0;

  now(): number {
    return this.time;
  }
  setTimer(at: number, fn: () => void): unknown {
    this.timers.set(++this.ids, { at, fn });
    return this.ids;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = target;
  }
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('memory transport on an injected clock', () => {
  const setup = async (retention: 'workqueue' | 'limits' = 'workqueue', extra = {}) => {
    const clock = new FakeClock();
    const transport = createMemoryTransport({ clock });
    await transport.streams.ensure({ name: 'S', subjects: ['s.>'], retention, ...extra });
    return { clock, transport };
  };

  it('redelivers an unacked message only once the clock passes ackWait', async () => {
    const { clock, transport } = await setup();
    const got = new Collector<number>();
    await transport.streams.consume('S', { durable: 'd', filterSubject: 's.>', ackWaitMs: 10_000 }, async (m) => {
      got.push(m.deliveryCount);
      if (m.deliveryCount === 2) m.ack();
    });
    await transport.streams.publish('s.a', enc('x'));
    await got.count(1);
    clock.advance(9_999);
    await flushImmediates();
    expect(got.items).toEqual([1]);
    clock.advance(1);
    expect(await got.count(2)).toEqual([1, 2]);
    await transport.close();
  });

  it('working() moves the ack deadline on the injected clock', async () => {
    const { clock, transport } = await setup();
    const got = new Collector<DeliveredMessage>();
    await transport.streams.consume('S', { durable: 'd', filterSubject: 's.>', ackWaitMs: 1_000 }, async (m) => got.push(m));
    await transport.streams.publish('s.a', enc('x'));
    const [first] = await got.count(1);
    clock.advance(900);
    first!.working();
    clock.advance(900);
    await flushImmediates();
    expect(got.items).toHaveLength(1);
    clock.advance(100);
    expect((await got.count(2))[1]!.deliveryCount).toBe(2);
    await transport.close();
  });

  it('nak(delay) waits for the injected clock', async () => {
    const { clock, transport } = await setup();
    const got = new Collector<number>();
    await transport.streams.consume('S', { durable: 'd', filterSubject: 's.>' }, async (m) => {
      got.push(m.deliveryCount);
      if (m.deliveryCount === 1) m.nak(5_000);
      else m.ack();
    });
    await transport.streams.publish('s.a', enc('x'));
    await got.count(1);
    clock.advance(4_999);
    await flushImmediates();
    expect(got.items).toEqual([1]);
    clock.advance(1);
    expect(await got.count(2)).toEqual([1, 2]);
    await transport.close();
  });

  it('measures the dedup window with the injected clock', async () => {
    const { clock, transport } = await setup('workqueue', { duplicateWindowMs: 60_000 });
    await transport.streams.publish('s.a', enc('1'), { msgId: 'same' });
    clock.advance(59_999);
    await transport.streams.publish('s.a', enc('2'), { msgId: 'same' });
    clock.advance(1);
    await transport.streams.publish('s.a', enc('3'), { msgId: 'same' });
    expect(transport.streams.info('S')).toEqual({ messages: 2, lastSeq: 2 });
    await transport.close();
  });

  it('drops messages older than maxAgeMs on the injected clock', async () => {
    const { clock, transport } = await setup('limits', { maxAgeMs: 1_000 });
    await transport.streams.publish('s.a', enc('old'));
    clock.advance(1_000);
    await transport.streams.publish('s.a', enc('new'));
    const got = new Collector<string>();
    await transport.streams.consume('S', { durable: 'd', filterSubject: 's.>' }, async (m) => got.push(dec(m.data)));
    await got.count(1);
    await flushImmediates();
    expect(got.items).toEqual(['new']);
    await transport.close();
  });

  it('forgets KV entries ttlMs after their last write, after which create works again', async () => {
    const clock = new FakeClock();
    const transport = createMemoryTransport({ clock });
    const kv = await transport.kv('b', { ttlMs: 1_000 });
    await kv.create('k', enc('v'));
    clock.advance(999);
    expect(await kv.get('k')).not.toBeNull();
    clock.advance(1);
    expect(await kv.get('k')).toBeNull();
    expect(await kv.keys()).toEqual([]);
    await kv.create('k', enc('again'));
    await transport.close();
  });
});

describe('memory streams', () => {
  it('removes a work-queue message from the stream once acked', async () => {
    const transport = createMemoryTransport();
    await transport.streams.ensure({ name: 'W', subjects: ['w.>'], retention: 'workqueue' });
    for (let i = 0; i < 3; i++) await transport.streams.publish('w.a', enc(`${i}`));
    expect(transport.streams.info('W')).toEqual({ messages: 3, lastSeq: 3 });
    const got = new Collector<DeliveredMessage>();
    await transport.streams.consume('W', { durable: 'd', filterSubject: 'w.>' }, async (m) => got.push(m));
    const [a, b, c] = await got.count(3);
    a!.ack();
    b!.term();
    c!.nak(60_000);
    expect(transport.streams.info('W')).toEqual({ messages: 1, lastSeq: 3 });
    await transport.close();
  });

  it('redelivers a message a handler naks synchronously in a later event-loop turn, not in a tight loop', async () => {
    const transport = createMemoryTransport();
    await transport.streams.ensure({ name: 'N', subjects: ['n.>'], retention: 'workqueue' });
    const counts = new Collector<number>();
    let turnPending = false;
    let sameTurn = 0;
    await transport.streams.consume('N', { durable: 'd', filterSubject: 'n.>' }, async (m) => {
      // If the next delivery came before this immediate ran, it was delivered in the same turn.
      if (turnPending) sameTurn++;
      turnPending = true;
      setImmediate(() => (turnPending = false));
      counts.push(m.deliveryCount);
      if (m.deliveryCount < 50) m.nak();
      else m.ack();
    });
    await transport.streams.publish('n.a', enc('x'));
    expect((await counts.count(50)).slice(0, 3)).toEqual([1, 2, 3]);
    expect(sameTurn).toBe(0);
    await transport.close();
  });

  it('delivers a backlog of 20000 messages quickly and exactly once', async () => {
    const transport = createMemoryTransport();
    await transport.streams.ensure({ name: 'B', subjects: ['b.>'], retention: 'workqueue' });
    const total = 20_000;
    for (let i = 0; i < total; i++) await transport.streams.publish('b.x', enc(`${i}`));
    const seen = new Set<string>();
    let deliveries = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await transport.streams.consume('B', { durable: 'd', filterSubject: 'b.>' }, async (m) => {
      deliveries++;
      seen.add(dec(m.data));
      m.ack();
      if (seen.size === total) done();
    });
    await within(finished, 5_000, 'the whole backlog');
    expect(deliveries).toBe(total);
    expect(transport.streams.info('B')).toEqual({ messages: 0, lastSeq: total });
    await transport.close();
  });

  it('rejects overlapping stream subjects and filters outside the stream, as a NATS server does', async () => {
    const transport = createMemoryTransport();
    await transport.streams.ensure({ name: 'A', subjects: ['x.*'], retention: 'limits' });
    await expect(transport.streams.ensure({ name: 'B', subjects: ['x.y'], retention: 'limits' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(transport.streams.consume('A', { durable: 'd', filterSubject: 'y.>' }, async () => {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(transport.streams.ensure({ name: 'A', subjects: ['x.*'], retention: 'workqueue' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await transport.close();
  });
});

describe('subject grammar', () => {
  it('matches * against one token and > against one or more trailing tokens', () => {
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.d')).toBe(false);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('>', 'a')).toBe(true);
  });

  it('decides overlap and containment of patterns like the server', () => {
    expect(subjectsOverlap('a.*', 'a.b')).toBe(true);
    expect(subjectsOverlap('a.>', 'a.b.c')).toBe(true);
    expect(subjectsOverlap('a.*', 'a.b.c')).toBe(false);
    expect(subjectsOverlap('a.b', 'a.c')).toBe(false);
    expect(isSubsetOf('a.b.>', 'a.>')).toBe(true);
    expect(isSubsetOf('a.*', 'a.>')).toBe(true);
    expect(isSubsetOf('a.>', 'a.*')).toBe(false);
    expect(isSubsetOf('a.*', 'a.b')).toBe(false);
  });
});
