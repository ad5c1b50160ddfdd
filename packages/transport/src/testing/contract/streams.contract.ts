import { describe, expect, it } from 'vitest';
import { NoStreamError, NotFoundError, PayloadTooLargeError, StreamFullError } from '../../adapters.ts';
import type { DeliveredMessage } from '../../ports.ts';
import { Collector, quietPeriod } from '../async.ts';
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

    it('headers a publisher sets reach the consumer with the message, redelivered ones too', async () => {
      const s = await t.stream();
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await t.transport.streams.publish(s.subject('a'), enc('traced'), { msgId: 'h-1', headers: { traceparent, tracestate: 'k=v' } });
      await t.transport.streams.publish(s.subject('a'), enc('plain'), { msgId: 'h-2' });
      const got = new Collector<{ data: string; count: number; traceparent: string | undefined; tracestate: string | undefined }>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async (m) => {
        got.push({ data: dec(m.data), count: m.deliveryCount, traceparent: m.header('traceparent'), tracestate: m.header('tracestate') });
        // The first delivery of the traced message is nak'd: its redelivery must carry the headers again.
        if (m.deliveryCount === 1 && dec(m.data) === 'traced') m.nak();
        else m.ack();
      });
      await got.count(3);
      expect(got.items.filter((m) => m.data === 'traced')).toEqual([
        { data: 'traced', count: 1, traceparent, tracestate: 'k=v' },
        { data: 'traced', count: 2, traceparent, tracestate: 'k=v' },
      ]);
      expect(got.items.filter((m) => m.data === 'plain')).toEqual([
        { data: 'plain', count: 1, traceparent: undefined, tracestate: undefined },
      ]);
    });

    it('headers count against maxPayload', async () => {
      const s = await t.stream();
      const limit = t.transport.maxPayload;
      await t.transport.streams.publish(s.subject('fits'), new Uint8Array(limit - 200));
      await expect(
        t.transport.streams.publish(s.subject('big'), new Uint8Array(limit - 200), { headers: { traceparent: 'x'.repeat(200) } }),
      ).rejects.toBeInstanceOf(PayloadTooLargeError);
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

    it('tail calls onEnd once when its stream is removed, and never after stop', async () => {
      const s = await t.stream('limits');
      const other = await t.stream('limits');
      const ended = new Collector<string>();
      const stoppedEnds: string[] = [];
      await t.transport.streams.tail!(s.name, s.all, { onEnd: (reason) => ended.push(reason) }, () => undefined);
      const stopped = await t.transport.streams.tail!(
        other.name,
        other.all,
        { onEnd: (reason) => stoppedEnds.push(reason) },
        () => undefined,
      );
      await stopped.stop();
      await t.transport.streams.remove(other.name);
      await t.transport.streams.remove(s.name);
      expect(await ended.count(1, 20_000)).toHaveLength(1);
      expect(stoppedEnds).toEqual([]);
    });

    it('tail delivers stored messages from a sequence, then new ones as they are stored, in order, and nothing after stop', async () => {
      const s = await t.stream('limits');
      const tail = t.transport.streams.tail!.bind(t.transport.streams);
      for (const [sub, body] of [
        ['a.1', 'one'],
        ['b.1', 'skip'],
        ['a.2', 'two'],
      ])
        await t.transport.streams.publish(s.subject(sub!), enc(body!));
      const fromStart = new Collector<[number, string]>();
      const live = new Collector<string>();
      const a = await tail(s.name, s.subject('a.*'), { fromSeq: 1 }, (m) => fromStart.push([m.seq, dec(m.data)]));
      const b = await tail(s.name, s.subject('a.*'), {}, (m) => live.push(dec(m.data)));
      expect(await fromStart.count(2)).toEqual([
        [1, 'one'],
        [3, 'two'],
      ]);
      await t.transport.streams.publish(s.subject('a.3'), enc('three'));
      await t.transport.streams.publish(s.subject('b.2'), enc('skip'));
      await t.transport.streams.publish(s.subject('a.4'), enc('four'));
      expect(await live.count(2)).toEqual(['three', 'four']);
      expect((await fromStart.count(4)).map(([seq]) => seq)).toEqual([1, 3, 4, 6]);
      await a.stop();
      await b.stop();
      await t.transport.streams.publish(s.subject('a.5'), enc('five'));
      // The publish is stored before it resolves; a stopped tail must not see it (a short bounded wait for a non-event).
      await quietPeriod(200);
      expect(live.items).toEqual(['three', 'four']);
      expect(fromStart.items).toHaveLength(4);
    });
  });
}
