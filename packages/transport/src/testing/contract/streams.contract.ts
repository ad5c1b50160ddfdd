import { describe, expect, it } from 'vitest';
import { NoStreamError, NotFoundError, PayloadTooLargeError, StreamFullError } from '../../adapters.ts';
import type { DeliveredMessage } from '../../ports.ts';
import { Collector } from '../async.ts';
import { dec, enc, useTarget, type MakeTarget } from './target.ts';

/** Stream management and publishing behaviour both adapters must share. */
export function streamsContract(make: MakeTarget): void {
  describe('streams: ensure and publish', () => {
    const t = useTarget(make);

    it('publish to a subject no stream captures throws NoStreamError', async () => {
      const nowhere = t.unusedStream();
      await expect(t.transport.streams.publish(nowhere.subject('x'), enc('x'))).rejects.toBeInstanceOf(NoStreamError);
    });

    it('publish of a message over maxPayload (payload plus msgId header) throws PayloadTooLargeError and stores nothing', async () => {
      const s = await t.stream();
      const limit = t.transport.maxPayload;
      expect(limit).toBeGreaterThan(1024);
      await expect(t.transport.streams.publish(s.subject('big'), new Uint8Array(limit + 1))).rejects.toBeInstanceOf(PayloadTooLargeError);
      // Exactly at the limit without headers fits; the msgId header pushes it over.
      await expect(
        t.transport.streams.publish(s.subject('big'), new Uint8Array(limit - 64), { msgId: 'x'.repeat(64) }),
      ).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        limit,
      });
      await t.transport.streams.publish(s.subject('small'), enc('end'));
      const got = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async (m) => {
        got.push(m.subject);
        m.ack();
      });
      expect(await got.count(1)).toEqual([s.subject('small')]);
    });

    it('a stream at maxMsgs refuses a new message with StreamFullError naming the limit, and takes one again once acked', async () => {
      const s = await t.stream('workqueue', { maxMsgs: 3 });
      for (const i of [1, 2, 3]) await t.transport.streams.publish(s.subject('a'), enc(`m${i}`), { msgId: `m-${i}` });
      const full = t.transport.streams.publish(s.subject('a'), enc('m4'), { msgId: 'm-4' });
      await expect(full).rejects.toBeInstanceOf(StreamFullError);
      await expect(full).rejects.toMatchObject({ code: 'STREAM_FULL', limit: 'max_msgs' });
      // A duplicate of a stored message is acknowledged, full or not; the refused one was not stored.
      await t.transport.streams.publish(s.subject('a'), enc('m1'), { msgId: 'm-1' });
      // Ensuring the stream without a limit (a process started without the setting) keeps it.
      await t.transport.streams.ensure({ name: s.name, subjects: [s.all], retention: 'workqueue' });
      await expect(t.transport.streams.publish(s.subject('a'), enc('m4'), { msgId: 'm-4' })).rejects.toBeInstanceOf(StreamFullError);

      const got = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, maxAckPending: 1 }, async (m) => {
        got.push(dec(m.data));
        m.ack();
      });
      expect(await got.count(3)).toEqual(['m1', 'm2', 'm3']);
      // Acked work leaves the work queue: there is room again.
      await t.transport.streams.publish(s.subject('a'), enc('m4'), { msgId: 'm-4' });
      expect(await got.count(4)).toEqual(['m1', 'm2', 'm3', 'm4']);
    });

    it('backlog reports each durable consumer: ack pending against max_ack_pending, and what waits to be delivered', async () => {
      const s = await t.stream();
      for (const i of [1, 2, 3, 4, 5]) await t.transport.streams.publish(s.subject('a'), enc(`m${i}`));
      const held: DeliveredMessage[] = [];
      const delivered = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'slow', filterSubject: s.all, maxAckPending: 2 }, async (m) => {
        held.push(m); // never settled here: the consumer sits at max_ack_pending
        delivered.push(m.subject);
      });
      await delivered.count(2);
      const backlog = (name: string) => t.transport.streams.backlog!(name);
      const [b] = await backlog(s.name);
      expect(b).toMatchObject({ stream: s.name, durable: 'slow', ackPending: 2, maxAckPending: 2, pending: 3 });
      held[0]!.ack();
      await delivered.count(3);
      expect((await backlog(s.name))[0]).toMatchObject({ ackPending: 2, pending: 2 });
      expect(await backlog(t.unusedStream().name)).toEqual([]);
    });

    it('ensure is idempotent, tolerates concurrent calls and adds new subjects to an existing stream', async () => {
      const s = t.unusedStream();
      const other = `${t.prefix}.extra`;
      const config = { name: s.name, subjects: [s.all], retention: 'workqueue' as const };
      await t.transport.streams.ensure(config);
      await Promise.all([t.transport.streams.ensure(config), t.transport.streams.ensure(config)]);
      await expect(t.transport.streams.publish(`${other}.a`, enc('x'))).rejects.toBeInstanceOf(NoStreamError);
      await t.transport.streams.ensure({ ...config, subjects: [s.all, `${other}.>`] });
      await t.transport.streams.publish(`${other}.a`, enc('x'));
      await t.transport.streams.remove(s.name);
      await t.transport.streams.remove(s.name); // removing a missing stream is not an error
    });

    it('a message id published twice within the dedup window is stored once', async () => {
      const s = await t.stream();
      await t.transport.streams.publish(s.subject('a'), enc('one'), { msgId: 'm-1' });
      await t.transport.streams.publish(s.subject('a'), enc('duplicate'), { msgId: 'm-1' });
      await t.transport.streams.publish(s.subject('a'), enc('two'), { msgId: 'm-2' });
      await t.transport.streams.publish(s.subject('a'), enc('end'));
      const got = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async (m) => {
        got.push(dec(m.data));
        m.ack();
      });
      await got.until((items) => items.includes('end'), 'the end marker');
      expect(got.items).toEqual(['one', 'two', 'end']);
    });

    it('messages published before any consumer exists are delivered in order once one starts', async () => {
      const s = await t.stream();
      for (const i of [1, 2, 3]) await t.transport.streams.publish(s.subject(`n${i}`), enc(`m${i}`));
      const got = new Collector<{ subject: string; data: string; count: number }>();
      await t.transport.streams.consume(s.name, { durable: 'late', filterSubject: s.all }, async (m) => {
        got.push({ subject: m.subject, data: dec(m.data), count: m.deliveryCount });
        m.ack();
      });
      await got.count(3);
      expect(got.items).toEqual([1, 2, 3].map((i) => ({ subject: s.subject(`n${i}`), data: `m${i}`, count: 1 })));
    });

    it('every durable on a limits stream receives all retained messages', async () => {
      const s = await t.stream('limits');
      for (const i of [1, 2, 3]) await t.transport.streams.publish(s.subject('x'), enc(`m${i}`));
      const first = new Collector<string>();
      const second = new Collector<string>();
      const collect = (c: Collector<string>) => async (m: DeliveredMessage) => {
        c.push(dec(m.data));
        m.ack();
      };
      await t.transport.streams.consume(s.name, { durable: 'one', filterSubject: s.all }, collect(first));
      await t.transport.streams.consume(s.name, { durable: 'two', filterSubject: s.subject('*') }, collect(second));
      expect(await first.count(3)).toEqual(['m1', 'm2', 'm3']);
      expect(await second.count(3)).toEqual(['m1', 'm2', 'm3']);
    });

    it('a consumer filter only receives the subjects it matches', async () => {
      const s = await t.stream();
      const got = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'orders', filterSubject: s.subject('order.*') }, async (m) => {
        got.push(m.subject);
        m.ack();
      });
      await t.transport.streams.publish(s.subject('invoice.1'), enc('x'));
      await t.transport.streams.publish(s.subject('order.1'), enc('x'));
      await t.transport.streams.publish(s.subject('order.1.line'), enc('x'));
      await t.transport.streams.publish(s.subject('order.2'), enc('x'));
      expect(await got.count(2)).toEqual([s.subject('order.1'), s.subject('order.2')]);
    });

    it('consume on a stream that does not exist rejects with NotFoundError', async () => {
      const s = t.unusedStream();
      await expect(t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async () => {})).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it('a work-queue stream rejects a second durable whose filter overlaps another one', async () => {
      const s = await t.stream();
      const noop = async (): Promise<void> => {};
      await t.transport.streams.consume(s.name, { durable: 'a', filterSubject: s.subject('a.>') }, noop);
      await t.transport.streams.consume(s.name, { durable: 'b', filterSubject: s.subject('b.>') }, noop);
      await expect(t.transport.streams.consume(s.name, { durable: 'c', filterSubject: s.all }, noop)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });

    it('publish never runs a handler synchronously', async () => {
      const s = await t.stream();
      let publishing = false;
      const seen = new Collector<boolean>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async (m) => {
        seen.push(publishing);
        m.ack();
      });
      publishing = true;
      const published = t.transport.streams.publish(s.subject('a'), enc('x'));
      publishing = false;
      await published;
      expect(await seen.count(1)).toEqual([false]);
    });
  });

  describe('streams: reading stored messages', () => {
    const t = useTarget(make);

    it('last returns the newest message of exactly one subject, null for none and for a missing stream', async () => {
      const s = await t.stream('limits');
      await t.transport.streams.publish(s.subject('a.1'), enc('first'));
      await t.transport.streams.publish(s.subject('a.2'), enc('other'));
      await t.transport.streams.publish(s.subject('a.1'), enc('second'));
      const last = await t.transport.streams.last(s.name, s.subject('a.1'));
      expect(last && { subject: last.subject, data: dec(last.data), seq: last.seq }).toEqual({
        subject: s.subject('a.1'),
        data: 'second',
        seq: 3,
      });
      expect(Math.abs(last!.time - Date.now())).toBeLessThan(60_000);
      expect(await t.transport.streams.last(s.name, s.subject('a.3'))).toBeNull();
      expect(await t.transport.streams.last(t.unusedStream().name, s.subject('a.1'))).toBeNull();
    });

    it('read yields the messages matching a filter, oldest first, from a sequence', async () => {
      const s = await t.stream('limits');
      for (const [sub, body] of [
        ['a.1', 'one'],
        ['b.1', 'skip'],
        ['a.2', 'two'],
        ['a.3', 'three'],
      ])
        await t.transport.streams.publish(s.subject(sub!), enc(body!));
      const all: string[] = [];
      for await (const m of t.transport.streams.read(s.name, s.subject('a.*'))) all.push(dec(m.data));
      expect(all).toEqual(['one', 'two', 'three']);
      const later: number[] = [];
      for await (const m of t.transport.streams.read(s.name, s.subject('a.*'), 4)) later.push(m.seq);
      expect(later).toEqual([4]);
      const none: string[] = [];
      for await (const m of t.transport.streams.read(s.name, s.subject('c.*'))) none.push(m.subject);
      expect(none).toEqual([]);
    });

    it('follow delivers the matching messages stored after it started, in order, until stopped; a missing stream rejects', async () => {
      const s = await t.stream('limits');
      const follow = t.transport.streams.follow!.bind(t.transport.streams);
      await t.transport.streams.publish(s.subject('a.old'), enc('before'));
      const got = new Collector<string>();
      const follower = await follow(s.name, s.subject('a.*'), (m) => got.push(`${m.seq}:${dec(m.data)}`));
      await t.transport.streams.publish(s.subject('a.1'), enc('one'));
      await t.transport.streams.publish(s.subject('b.1'), enc('skip'));
      await t.transport.streams.publish(s.subject('a.2'), enc('two'));
      expect(await got.count(2)).toEqual(['2:one', '4:two']);
      await follower.stop();
      await t.transport.streams.publish(s.subject('a.3'), enc('after stop'));
      // The stream stored it; the stopped follower was not given it (a later read proves the publish landed first).
      expect((await t.transport.streams.last(s.name, s.subject('a.3')))?.seq).toBe(5);
      expect(got.items).toHaveLength(2);
      await expect(follow(t.unusedStream().name, s.subject('a.*'), () => {})).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
