import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectNatsTransport, createMemoryTransport } from '../src/adapters.ts';
import { KvContentionError, KvRecordError } from '../src/kv-record-errors.ts';
import { DELETE_RECORD, kvRecords, type KvRecords } from '../src/kv-records.ts';
import { KvConflictError, type KvEntry, type KvStore } from '../src/ports.ts';
import { natsUrl, withNatsTransport } from '../src/testing/nats.ts';

const CounterSchema = z.object({ name: z.string(), count: z.number().int().nonnegative() });
type Counter = z.output<typeof CounterSchema>;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Two handles on one bucket: `kv` for the records under test, `other` for a writer racing them (its own connection on NATS). */
interface Handles {
  kv: KvStore;
  other: KvStore;
  cleanup(): Promise<void>;
}

/** The same behaviour against each adapter. */
function kvRecordsSuite(name: string, open: () => Promise<Handles>): void {
  describe(`KvRecords on the ${name} adapter`, () => {
    let h: Handles;
    let records: KvRecords<Counter>;
    beforeEach(async () => {
      h = await open();
      records = kvRecords(h.kv, CounterSchema);
    });
    afterEach(() => h.cleanup());

    /** Writes `count` through the racing handle, as another replica would. */
    const race = async (key: string, count: number): Promise<void> => {
      await h.other.put(key, enc(JSON.stringify({ name: key, count })));
    };

    it('stores JSON.stringify bytes and reads them back decoded with their revision', async () => {
      const revision = await records.put('a', { name: 'a', count: 1 });
      expect(dec((await h.kv.get('a'))!.value)).toBe('{"name":"a","count":1}');
      expect(await records.get('a')).toEqual({ key: 'a', value: { name: 'a', count: 1 }, revision });
      expect(await records.get('missing')).toBeNull();
    });

    it('a stored value that fails the schema throws KvRecordError naming bucket, key and field', async () => {
      await h.kv.put('bad', enc('{"name":"bad","count":-1}'));
      const err = await records.get('bad').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KvRecordError);
      expect(err).toMatchObject({ code: 'INVALID_RECORD', bucket: h.kv.bucket, key: 'bad', issues: [{ path: 'count' }] });
      expect((err as Error).message).toContain(`${h.kv.bucket}/bad: count:`);
    });

    it('a stored value that is not JSON throws KvRecordError for the whole value', async () => {
      await h.kv.put('junk', enc('not json'));
      await expect(records.get('junk')).rejects.toMatchObject({ code: 'INVALID_RECORD', key: 'junk', issues: [{ path: '' }] });
    });

    it('entries decodes every record under a filter and rejects a bad one', async () => {
      await records.put('c.1', { name: 'one', count: 1 });
      await records.put('c.2', { name: 'two', count: 2 });
      await records.put('d.1', { name: 'other', count: 3 });
      expect((await records.entries('c.*')).map((r) => [r.key, r.value.count])).toEqual([
        ['c.1', 1],
        ['c.2', 2],
      ]);
      await h.kv.put('c.3', enc('{"name":3}'));
      await expect(records.entries('c.*')).rejects.toMatchObject({ key: 'c.3', issues: [{ path: 'name' }, { path: 'count' }] });
    });

    it('mutate creates an absent key, then updates it on the revision read', async () => {
      const first = await records.mutate('m', (current) => ({ name: 'm', count: (current?.count ?? 0) + 1 }));
      const second = await records.mutate('m', (current) => ({ name: 'm', count: (current?.count ?? 0) + 1 }));
      expect(first.written && second.written).toBe(true);
      expect(second.record).toEqual({ key: 'm', value: { name: 'm', count: 2 }, revision: (await h.kv.get('m'))!.revision });
      expect(second.record!.revision).toBeGreaterThan(first.record!.revision);
    });

    it('mutate retries on a concurrent writer and applies its change on top of the winner', async () => {
      await records.put('r', { name: 'r', count: 0 });
      const seen: number[] = [];
      const conflicts: number[] = [];
      const result = await records.mutate(
        'r',
        async (current) => {
          seen.push(current!.count);
          // Another writer gets in between this read and our compare-and-set, twice.
          if (seen.length <= 2) await race('r', 100 * seen.length);
          return { name: 'r', count: current!.count + 1 };
        },
        {
          onConflict: (err, attempt) => {
            expect(err).toBeInstanceOf(KvConflictError);
            conflicts.push(attempt);
          },
        },
      );
      expect(seen).toEqual([0, 100, 200]);
      expect(conflicts).toEqual([1, 2]);
      expect(result.record!.value.count).toBe(201);
      expect((await records.get('r'))!.value.count).toBe(201);
    });

    it('concurrent mutates through two handles lose no update', async () => {
      const mine = records;
      const theirs = kvRecords(h.other, CounterSchema);
      const increment = (r: KvRecords<Counter>) => r.mutate('n', (c) => ({ name: 'n', count: (c?.count ?? 0) + 1 }));
      await Promise.all(Array.from({ length: 8 }, (_, i) => increment(i % 2 ? mine : theirs)));
      expect((await records.get('n'))!.value.count).toBe(8);
    });

    it('gives up after maxAttempts with KvContentionError carrying the last conflict', async () => {
      await records.put('x', { name: 'x', count: 0 });
      let calls = 0;
      const err = await records
        .mutate(
          'x',
          async (current) => {
            calls++;
            await race('x', 1000 + calls);
            return { name: 'x', count: current!.count + 1 };
          },
          { maxAttempts: 3 },
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KvContentionError);
      expect(err).toMatchObject({ code: 'CONTENTION', bucket: h.kv.bucket, key: 'x', attempts: 3 });
      expect((err as Error).cause).toBeInstanceOf(KvConflictError);
      expect(calls).toBe(3);
      expect((await records.get('x'))!.value.count).toBe(1003);
    });

    it('decide answers with what the winning run computed', async () => {
      await records.put('q', { name: 'q', count: 0 });
      let runs = 0;
      const answer = await records.decide('q', async (current) => {
        if (++runs === 1) await race('q', 7);
        return [{ name: 'q', count: current!.count + 1 }, `saw ${current!.count}`] as const;
      });
      expect(answer).toBe('saw 7');
      expect(await records.decide('q', (current) => [undefined, current!.count] as const)).toBe(8);
    });

    it('fn returning undefined writes nothing, present or absent', async () => {
      const revision = await records.put('u', { name: 'u', count: 5 });
      const kept = await records.mutate('u', () => undefined);
      expect(kept).toEqual({ written: false, record: { key: 'u', value: { name: 'u', count: 5 }, revision } });
      expect((await h.kv.get('u'))!.revision).toBe(revision);
      expect(await records.mutate('absent', () => undefined)).toEqual({ written: false, record: null });
      expect(await h.kv.get('absent')).toBeNull();
    });

    it('DELETE_RECORD deletes a present key and leaves an absent one alone', async () => {
      await records.put('d', { name: 'd', count: 1 });
      expect(await records.mutate('d', () => DELETE_RECORD)).toEqual({ written: true, record: null });
      expect(await h.kv.get('d')).toBeNull();
      expect(await records.mutate('d', () => DELETE_RECORD)).toEqual({ written: false, record: null });
    });

    it('DELETE_RECORD deletes only the revision it saw: a write in between is decided on again, not deleted', async () => {
      await records.put('cd', { name: 'cd', count: 0 });
      const seen: number[] = [];
      const result = await records.mutate('cd', async (current) => {
        seen.push(current!.count);
        if (seen.length === 1) await race('cd', 5); // another replica writes after this read
        return current!.count === 0 ? DELETE_RECORD : undefined;
      });
      expect(seen).toEqual([0, 5]);
      expect(result).toMatchObject({ written: false, record: { value: { name: 'cd', count: 5 } } });
      expect(await records.get('cd')).toMatchObject({ value: { count: 5 } });
    });

    it('with `initial` the first attempt reads nothing; a stale one costs a read and a retry', async () => {
      let gets = 0;
      const counting: KvStore = Object.assign(Object.create(h.kv) as KvStore, {
        get: (key: string): Promise<KvEntry | null> => {
          gets++;
          return h.kv.get(key);
        },
      });
      const counted = kvRecords(counting, CounterSchema);
      const revision = await counted.create('i', { name: 'i', count: 1 });
      const fresh = await counted.mutate('i', (c) => ({ name: 'i', count: c!.count + 1 }), {
        initial: { key: 'i', value: { name: 'i', count: 1 }, revision },
      });
      expect(gets).toBe(0);
      await counted.mutate('i', (c) => ({ name: 'i', count: c!.count + 1 }), {
        initial: { key: 'i', value: { name: 'i', count: 1 }, revision },
      });
      expect(gets).toBe(1);
      expect((await records.get('i'))!.value.count).toBe(3);
      expect(fresh.record!.value.count).toBe(2);
    });

    it('createOnce writes once and then returns the stored record untouched', async () => {
      const first = await records.createOnce('o', { name: 'first', count: 1 });
      const second = await records.createOnce('o', { name: 'second', count: 2 });
      expect(first.created).toBe(true);
      expect(second).toEqual({ created: false, record: first.record });
      expect((await records.get('o'))!.value.name).toBe('first');
    });
  });
}

kvRecordsSuite('memory', async () => {
  const transport = createMemoryTransport();
  const kv = await transport.kv('records');
  return { kv, other: await transport.kv('records'), cleanup: () => transport.close() };
});

kvRecordsSuite('nats', async () => {
  const t = await withNatsTransport('kvr');
  const bucket = `${t.prefix}_records`;
  const second = await connectNatsTransport({ servers: natsUrl(), name: `test-${t.prefix}-other` });
  return {
    kv: await t.transport.kv(bucket),
    other: await second.kv(bucket),
    cleanup: async () => {
      await second.close();
      await t.cleanup();
    },
  };
});
