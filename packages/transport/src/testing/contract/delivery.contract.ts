import { describe, expect, it } from 'vitest';
import type { DeliveredMessage } from '../../ports.ts';
import { Collector, quietPeriod, until } from '../async.ts';
import { dec, enc, useTarget, type MakeTarget } from './target.ts';

/** Short enough for fast tests, long enough for NATS to honour it (its redelivery timer is ack_wait itself). */
const ACK_WAIT = 300;
/** Long enough that a redelivery after ack wait would have shown up. */
const QUIET = 3 * ACK_WAIT;

interface Seen {
  data: string;
  count: number;
  at: number;
}

const seen = (m: DeliveredMessage): Seen => ({ data: dec(m.data), count: m.deliveryCount, at: Date.now() });

/** Durable consumer behaviour (acks, redelivery, sharing, flow control) both adapters must share. */
export function deliveryContract(make: MakeTarget): void {
  describe('streams: durable consumers', () => {
    const t = useTarget(make);

    it('an acked work-queue message is gone: a later consumer on the same durable receives nothing', async () => {
      const s = await t.stream();
      for (const i of [1, 2, 3]) await t.transport.streams.publish(s.subject('a'), enc(`m${i}`));
      const first = new Collector<string>();
      const c1 = await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: ACK_WAIT }, async (m) => {
        first.push(dec(m.data));
        m.ack();
      });
      await first.count(3);
      await c1.stop();
      const second = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: ACK_WAIT }, async (m) => {
        second.push(dec(m.data));
        m.ack();
      });
      await quietPeriod(QUIET);
      expect(second.items).toEqual([]);
      // The second consumer is live: it gets what is published now.
      await t.transport.streams.publish(s.subject('a'), enc('m4'));
      expect(await second.count(1)).toEqual(['m4']);
      expect(first.items).toEqual(['m1', 'm2', 'm3']);
    });

    it('a message left unacked is redelivered after ackWait with an incremented delivery count', async () => {
      const s = await t.stream();
      const got = new Collector<Seen>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: ACK_WAIT }, async (m) => {
        got.push(seen(m));
        if (m.deliveryCount >= 2) m.ack();
      });
      await t.transport.streams.publish(s.subject('a'), enc('x'));
      const [one, two] = await got.count(2);
      expect([one!.count, two!.count]).toEqual([1, 2]);
      expect(two!.at - one!.at).toBeGreaterThanOrEqual(ACK_WAIT - 50);
      await quietPeriod(QUIET);
      expect(got.items).toHaveLength(2);
    });

    it('maxDeliver stops redelivery after that many deliveries, naked or expired, while later messages still flow', async () => {
      const s = await t.stream();
      const got = new Collector<Seen>();
      const options = { durable: 'd', filterSubject: s.all, ackWaitMs: ACK_WAIT, maxDeliver: 3 };
      await t.transport.streams.consume(s.name, options, async (m) => {
        got.push(seen(m));
        if (dec(m.data) === 'naked') m.nak();
        else if (dec(m.data) === 'fine') m.ack(); // 'expiring' is left to its ack wait
      });
      await t.transport.streams.publish(s.subject('a'), enc('naked'));
      await t.transport.streams.publish(s.subject('a'), enc('expiring'));
      await got.count(6, 10_000);
      await quietPeriod(QUIET);
      await t.transport.streams.publish(s.subject('a'), enc('fine'));
      await got.count(7);
      const counts = (data: string) => got.items.filter((i) => i.data === data).map((i) => i.count);
      expect(counts('naked')).toEqual([1, 2, 3]);
      expect(counts('expiring')).toEqual([1, 2, 3]);
      expect(counts('fine')).toEqual([1]);
    });

    it('nak redelivers at once, long before ackWait', async () => {
      const s = await t.stream();
      const got = new Collector<Seen>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: 30_000 }, async (m) => {
        got.push(seen(m));
        if (m.deliveryCount === 1) m.nak();
        else m.ack();
      });
      await t.transport.streams.publish(s.subject('a'), enc('x'));
      const items = await got.count(2, 5_000);
      expect(items.map((i) => i.count)).toEqual([1, 2]);
    });

    it('nak with a delay redelivers after that delay', async () => {
      const s = await t.stream();
      const got = new Collector<Seen>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: 30_000 }, async (m) => {
        got.push(seen(m));
        if (m.deliveryCount === 1) m.nak(500);
        else m.ack();
      });
      await t.transport.streams.publish(s.subject('a'), enc('x'));
      const [one, two] = await got.count(2, 5_000);
      expect(two!.count).toBe(2);
      expect(two!.at - one!.at).toBeGreaterThanOrEqual(450);
    });

    it('a handler that throws naks its message, which is redelivered long before ackWait', async () => {
      const s = await t.stream();
      const got = new Collector<Seen>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: 30_000 }, async (m) => {
        got.push(seen(m));
        if (m.deliveryCount === 1) throw new Error('handler failure (expected by the test)');
        m.ack();
      });
      await t.transport.streams.publish(s.subject('a'), enc('x'));
      const items = await got.count(2, 5_000);
      expect(items.map((i) => i.count)).toEqual([1, 2]);
    });

    it('term drops a message for good while later messages still flow', async () => {
      const s = await t.stream();
      const got = new Collector<Seen>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs: ACK_WAIT }, async (m) => {
        got.push(seen(m));
        if (dec(m.data) === 'poison') m.term();
        else m.ack();
      });
      await t.transport.streams.publish(s.subject('a'), enc('poison'));
      await t.transport.streams.publish(s.subject('a'), enc('fine'));
      await got.until((items) => items.some((i) => i.data === 'fine'), 'the message after the poison one');
      await quietPeriod(QUIET);
      expect(got.items.map((i) => i.data)).toEqual(['poison', 'fine']);
    });

    it('working extends the ack deadline of a long-running handler', async () => {
      const s = await t.stream();
      const ackWaitMs = 1_000;
      const got = new Collector<Seen>();
      const done = new Collector<true>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, ackWaitMs }, async (m) => {
        got.push(seen(m));
        // 1.6 x ackWait of work, reporting progress every 0.4 x ackWait.
        for (let i = 0; i < 4; i++) {
          await quietPeriod(ackWaitMs * 0.4);
          m.working();
        }
        m.ack();
        done.push(true);
      });
      await t.transport.streams.publish(s.subject('a'), enc('slow'));
      await done.count(1);
      await quietPeriod(ackWaitMs);
      expect(got.items.map((i) => i.count)).toEqual([1]);
    });

    it('two consume calls on one durable split the messages and each message is handled once', async () => {
      const s = await t.stream();
      const got = new Collector<{ by: string; data: string }>();
      const handler = (by: string) => async (m: DeliveredMessage) => {
        got.push({ by, data: dec(m.data) });
        m.ack();
      };
      const options = { durable: 'shared', filterSubject: s.all, maxAckPending: 64 };
      await t.transport.streams.consume(s.name, options, handler('A'));
      await t.transport.streams.consume(s.name, options, handler('B'));
      const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
      for (const data of sent) await t.transport.streams.publish(s.subject('a'), enc(data));
      await got.count(sent.length);
      await quietPeriod(200);
      expect(got.items.map((i) => i.data).sort()).toEqual([...sent].sort());
      expect(got.items.filter((i) => i.by === 'A').length).toBeGreaterThan(0);
      expect(got.items.filter((i) => i.by === 'B').length).toBeGreaterThan(0);
    });

    it('no more than maxAckPending messages are unsettled at once', async () => {
      const s = await t.stream();
      for (let i = 0; i < 10; i++) await t.transport.streams.publish(s.subject('a'), enc(`m${i}`));
      const held: DeliveredMessage[] = [];
      const got = new Collector<string>();
      let unsettled = 0;
      let peak = 0;
      let release = false;
      const settle = (m: DeliveredMessage): void => {
        unsettled--;
        m.ack();
      };
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all, maxAckPending: 3 }, async (m) => {
        unsettled++;
        peak = Math.max(peak, unsettled);
        got.push(dec(m.data));
        if (release) settle(m);
        else held.push(m);
      });
      await got.count(3);
      await quietPeriod(300);
      expect(got.items).toHaveLength(3);
      release = true;
      held.splice(0).forEach(settle);
      await got.count(10);
      expect(peak).toBe(3);
    });

    it('a stopped consumer receives nothing more and a new consume on the durable picks up new messages', async () => {
      const s = await t.stream();
      const first = new Collector<string>();
      const c1 = await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async (m) => {
        first.push(dec(m.data));
        m.ack();
      });
      await c1.stop();
      await t.transport.streams.publish(s.subject('a'), enc('after-stop'));
      const second = new Collector<string>();
      await t.transport.streams.consume(s.name, { durable: 'd', filterSubject: s.all }, async (m) => {
        second.push(dec(m.data));
        m.ack();
      });
      // With the default 30 s ack wait, anything swallowed by the stopped consumer would miss this deadline.
      expect(await second.count(1, 5_000)).toEqual(['after-stop']);
      expect(first.items).toEqual([]);
    });

    it('stop drains: a consumer stopped mid-stream leaves nothing to wait out AckWait, the next one gets the rest at once', async () => {
      const s = await t.stream();
      const options = { durable: 'd', filterSubject: s.all }; // the default 30 s ack wait
      const handled = new Set<string>();
      const handle = async (m: DeliveredMessage): Promise<void> => {
        handled.add(dec(m.data));
        m.ack();
      };
      const c1 = await t.transport.streams.consume(s.name, options, handle);
      // Four publishers keep the pull requests busy while the consumer stops.
      const published: string[] = [];
      let publishing = true;
      const publishers = [0, 1, 2, 3].map(async (p) => {
        for (let i = 0; publishing && i < 500; i++) {
          await t.transport.streams.publish(s.subject('a'), enc(`p${p}-${i}`));
          published.push(`p${p}-${i}`);
          await new Promise((resolve) => setImmediate(resolve)); // lets the memory adapter deliver
        }
      });
      await until(
        '100 messages handled',
        async () => handled.size,
        (n) => n >= 100,
        10_000,
      );
      await c1.stop();
      publishing = false;
      await Promise.all(publishers);
      await t.transport.streams.consume(s.name, options, handle);
      // Anything the stopped consumer held would come back after 30 s, past this deadline.
      const missing = () => published.filter((m) => !handled.has(m));
      await until(
        'every published message handled',
        async () => missing(),
        (left) => left.length === 0,
        5_000,
      );
      expect(handled.size).toBe(published.length);
    });
  });
}
