import { describe, expect, it } from 'vitest';
import { Collector, quietPeriod } from '../async.ts';
import { dec, enc, useTarget, type MakeTarget } from './target.ts';

/** Core pub/sub behaviour both adapters must share. */
export function busContract(make: MakeTarget): void {
  describe('bus', () => {
    const t = useTarget(make);

    it('subscribers receive the messages their wildcard subject matches, in order and never synchronously', async () => {
      const root = `${t.prefix}.bus`;
      const star = new Collector<string>();
      const tail = new Collector<string>();
      let publishing = false;
      const syncCalls: string[] = [];
      const record = (c: Collector<string>) => (subject: string, data: Uint8Array) => {
        if (publishing) syncCalls.push(subject);
        c.push(`${subject}=${dec(data)}`);
      };
      t.transport.bus.subscribe(`${root}.*.x`, record(star));
      t.transport.bus.subscribe(`${root}.>`, record(tail));
      publishing = true;
      for (const s of ['a.x', 'a.y', 'b.x', 'a.x.deep', 'end.x']) t.transport.bus.publish(`${root}.${s}`, enc(s));
      publishing = false;
      await star.until((items) => items.includes(`${root}.end.x=end.x`), 'the end marker on *');
      await tail.until((items) => items.includes(`${root}.end.x=end.x`), 'the end marker on >');
      expect(star.items).toEqual(['a.x', 'b.x', 'end.x'].map((s) => `${root}.${s}=${s}`));
      expect(tail.items).toEqual(['a.x', 'a.y', 'b.x', 'a.x.deep', 'end.x'].map((s) => `${root}.${s}=${s}`));
      expect(syncCalls).toEqual([]);
    });

    it('unsubscribe stops delivery to that subscriber only', async () => {
      const subject = `${t.prefix}.bus.topic`;
      const kept = new Collector<string>();
      const dropped = new Collector<string>();
      t.transport.bus.subscribe(subject, (_, data) => kept.push(dec(data)));
      const sub = t.transport.bus.subscribe(subject, (_, data) => dropped.push(dec(data)));
      t.transport.bus.publish(subject, enc('before'));
      await dropped.count(1);
      sub.unsubscribe();
      t.transport.bus.publish(subject, enc('after'));
      await kept.count(2);
      await quietPeriod(100);
      expect(dropped.items).toEqual(['before']);
      expect(kept.items).toEqual(['before', 'after']);
    });
  });
}
