import { describe, expect, it } from 'vitest';
import { KvBucketFullError, PayloadTooLargeError } from '../../errors.ts';
import { KvConflictError } from '../../ports.ts';
import { dec, enc, useTarget, type MakeTarget } from './target.ts';

/** KvStore behaviour both adapters must share (JetStream KV semantics). */
export function kvContract(make: MakeTarget): void {
  describe('kv', () => {
    const t = useTarget(make);
    const open = () => t.transport.kv(t.bucketName());

    it('create writes a new key and a second create of the same key throws KvConflictError', async () => {
      const kv = await open();
      const revision = await kv.create('order.1', enc('a'));
      expect(revision).toBeGreaterThan(0);
      const err = await kv.create('order.1', enc('b')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KvConflictError);
      expect(err).toMatchObject({ code: 'CONFLICT', bucket: kv.bucket, key: 'order.1' });
      expect(dec((await kv.get('order.1'))!.value)).toBe('a');
    });

    it('update succeeds at the current revision and throws KvConflictError at a stale one', async () => {
      const kv = await open();
      const r1 = await kv.create('k', enc('v1'));
      const r2 = await kv.update('k', enc('v2'), r1);
      expect(r2).toBeGreaterThan(r1);
      await expect(kv.update('k', enc('v3'), r1)).rejects.toBeInstanceOf(KvConflictError);
      await expect(kv.update('missing', enc('v'), r2)).rejects.toBeInstanceOf(KvConflictError);
      expect(await kv.get('k')).toMatchObject({ key: 'k', revision: r2 });
      expect(dec((await kv.get('k'))!.value)).toBe('v2');
    });

    it('revisions increase across all keys of a bucket', async () => {
      const kv = await open();
      const a = await kv.put('a', enc('1'));
      const b = await kv.put('b', enc('1'));
      const a2 = await kv.put('a', enc('2'));
      expect(b).toBeGreaterThan(a);
      expect(a2).toBeGreaterThan(b);
      expect((await kv.get('a'))!.revision).toBe(a2);
    });

    it('get returns null for a key that never existed and for a deleted key', async () => {
      const kv = await open();
      expect(await kv.get('nothing')).toBeNull();
      await kv.put('gone', enc('x'));
      await kv.delete('gone');
      expect(await kv.get('gone')).toBeNull();
    });

    it('create succeeds on a key that was deleted, and a stale update after the delete conflicts', async () => {
      const kv = await open();
      const r1 = await kv.create('slot', enc('first'));
      await kv.delete('slot');
      await expect(kv.update('slot', enc('late'), r1)).rejects.toBeInstanceOf(KvConflictError);
      const r2 = await kv.create('slot', enc('second'));
      expect(r2).toBeGreaterThan(r1);
      expect(dec((await kv.get('slot'))!.value)).toBe('second');
    });

    it('delete at a revision deletes only that revision; a stale one throws KvConflictError and keeps the newer value', async () => {
      const kv = await open();
      const r1 = await kv.put('cas', enc('one'));
      const r2 = await kv.put('cas', enc('two'));
      await expect(kv.delete('cas', { revision: r1 })).rejects.toBeInstanceOf(KvConflictError);
      await expect(kv.delete('never', { revision: r2 })).rejects.toBeInstanceOf(KvConflictError);
      expect(dec((await kv.get('cas'))!.value)).toBe('two');
      await kv.delete('cas', { revision: r2 });
      expect(await kv.get('cas')).toBeNull();
    });

    it('a value over maxPayload throws PayloadTooLargeError naming bucket and key, and nothing is written', async () => {
      const kv = await open();
      const limit = t.transport.maxPayload;
      expect(limit).toBeGreaterThan(0);
      const err = await kv.put('huge', new Uint8Array(limit + 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', target: `${kv.bucket}/huge`, bytes: limit + 1, limit });
      await expect(kv.create('huge', new Uint8Array(limit + 1))).rejects.toBeInstanceOf(PayloadTooLargeError);
      expect(await kv.get('huge')).toBeNull();
    });

    it('a bucket with maxBytes refuses writes beyond it with KvBucketFullError, keeps what it holds, and takes writes again once keys are deleted', async () => {
      const kv = await t.transport.kv(t.bucketName(), { maxBytes: 4_096 });
      const value = new Uint8Array(1_000);
      let written = 0;
      let err: unknown;
      for (; written < 10; written++) {
        err = await kv.put(`k${written}`, value).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err !== undefined) break;
      }
      // Each adapter counts a little overhead per entry its own way: 3 or 4 of these fit, never 5.
      expect(written).toBeGreaterThanOrEqual(3);
      expect(written).toBeLessThanOrEqual(4);
      expect(err).toBeInstanceOf(KvBucketFullError);
      expect(err).toMatchObject({ code: 'BUCKET_FULL', bucket: kv.bucket, key: `k${written}` });
      expect(await kv.get('k0')).not.toBeNull(); // nothing was dropped to make room
      await kv.delete('k0');
      await kv.delete('k1');
      await kv.put(`k${written}`, value);
      expect(await kv.get(`k${written}`)).not.toBeNull();
    });

    it('keys lists present keys only and honours the * and > wildcards', async () => {
      const kv = await open();
      for (const key of ['a.b.c', 'a.b', 'a.x', 'b.y', 'a.del']) await kv.put(key, enc('1'));
      await kv.delete('a.del');
      expect((await kv.keys()).sort()).toEqual(['a.b', 'a.b.c', 'a.x', 'b.y']);
      expect((await kv.keys('a.*')).sort()).toEqual(['a.b', 'a.x']);
      expect((await kv.keys('a.>')).sort()).toEqual(['a.b', 'a.b.c', 'a.x']);
      expect((await kv.keys('*.b.*')).sort()).toEqual(['a.b.c']);
      expect(await kv.keys('zzz.>')).toEqual([]);
    });

    it('forget removes a key without a marker: it is gone from get and keys, create works again, and a missing key is a no-op', async () => {
      const kv = await open();
      await kv.put('f.a', enc('1'));
      await kv.put('f.b', enc('2'));
      await kv.forget('f.a');
      await kv.forget('f.never');
      expect(await kv.get('f.a')).toBeNull();
      expect(await kv.keys('f.*')).toEqual(['f.b']);
      // No marker is left: the key is new again, so a create expecting nothing on it succeeds.
      await kv.create('f.a', enc('3'));
      expect(dec((await kv.get('f.a'))!.value)).toBe('3');
    });

    it('entries lists present keys with their current value and revision, honouring the filter', async () => {
      const kv = await open();
      const r1 = await kv.put('e.a', enc('1'));
      await kv.put('e.b', enc('2'));
      const r3 = await kv.put('e.a', enc('3'));
      await kv.delete('e.b');
      await kv.put('f.c', enc('4'));
      const entries = (await kv.entries('e.>')).map((e) => ({ key: e.key, value: dec(e.value), revision: e.revision }));
      expect(entries).toEqual([{ key: 'e.a', value: '3', revision: r3 }]);
      expect(r3).toBeGreaterThan(r1);
      expect((await kv.entries()).map((e) => e.key).sort()).toEqual(['e.a', 'f.c']);
    });

    it('a value read back is not affected by later changes to the written buffer', async () => {
      const kv = await open();
      const buffer = enc('abc');
      await kv.put('k', buffer);
      buffer[0] = 120;
      expect(dec((await kv.get('k'))!.value)).toBe('abc');
    });

    it('removeKv deletes the bucket with its values; reopening gives an empty bucket', async () => {
      const name = t.bucketName();
      const kv = await t.transport.kv(name);
      await kv.put('k', enc('v'));
      await t.transport.removeKv(name);
      const again = await t.transport.kv(name);
      expect(await again.get('k')).toBeNull();
      expect(await again.keys()).toEqual([]);
      await t.transport.removeKv(`${name}_never_created`);
    });
  });
}
