import { describe, expect, it } from 'vitest';
import { createMemoryTransport, type KvEntry, type KvStore } from '@squadflow/transport';
import { WaitIndex } from '../src/store/waits.ts';

const reg = (executionId: string) => ({ executionId, step: 'reply', purpose: 'wait' as const });

describe('the wait index under concurrent writers', () => {
  it('unregistering from a key nobody registered writes nothing (it used to store an empty list, one key per call)', async () => {
    const kv = await createMemoryTransport().kv('waits');
    const waits = new WaitIndex(kv);
    await waits.unregister('never-registered', 'ex_1', 'reply');
    await waits.register('k', reg('ex_1'));
    await waits.unregister('k', 'ex_other', 'reply'); // not on the list: no write either
    expect(await kv.keys()).toEqual(['w.k']);
    expect((await kv.get('w.k'))!.revision).toBe(1);
  });

  it('a registration made while the last one is being removed survives: the emptied list is deleted only at the revision read', async () => {
    const kv = await createMemoryTransport().kv('waits');
    const waits = new WaitIndex(kv);
    await waits.register('k', reg('ex_1'));
    // Another replica registers ex_2 right after the unregister of ex_1 has read the list [ex_1].
    let raced = false;
    const racing: KvStore = Object.assign(Object.create(kv) as KvStore, {
      get: async (key: string): Promise<KvEntry | null> => {
        const entry = await kv.get(key);
        if (!raced) {
          raced = true;
          await new WaitIndex(kv).register('k', reg('ex_2'));
        }
        return entry;
      },
    });
    await new WaitIndex(racing).unregister('k', 'ex_1', 'reply');
    expect(raced).toBe(true);
    expect(await waits.lookup('k')).toEqual([reg('ex_2')]);
  });
});
