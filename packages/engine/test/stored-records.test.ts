import { describe, expect, it } from 'vitest';
import { createMemoryTransport, KvRecordError } from '@squadflow/transport';
import { WorkflowSlots } from '../src/store/slots.ts';
import { WaitIndex } from '../src/store/waits.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

// The stores used to cast what they read (`JSON.parse(...) as T`); a bad entry now fails loudly, naming the field.
describe('engine stores read schema-checked records', () => {
  it('a corrupt slots entry throws KvRecordError naming the field instead of counting garbage', async () => {
    const kv = await createMemoryTransport().kv('slots');
    await kv.put('wf', enc('{"active":"ex_1","queue":[]}'));
    const err = await new WorkflowSlots(kv).acquire('wf', 1, { executionId: 'ex_2', priority: 5, at: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvRecordError);
    expect(err).toMatchObject({ bucket: 'slots', key: 'wf', issues: [{ path: 'active' }] });
  });

  it('slots keep the stored bytes format: what acquire writes is plain JSON of the state', async () => {
    const kv = await createMemoryTransport().kv('slots');
    const slots = new WorkflowSlots(kv);
    expect(await slots.acquire('wf', 1, { executionId: 'ex_1', priority: 5, at: 1 })).toBe('running');
    expect(await slots.acquire('wf', 1, { executionId: 'ex_2', priority: 7, at: 2 })).toBe('queued');
    expect(dec((await kv.get('wf'))!.value)).toBe('{"active":["ex_1"],"queue":[{"executionId":"ex_2","priority":7,"at":2}]}');
    expect(await slots.release('wf', 'ex_1')).toBe('ex_2');
  });

  it('the wait index deletes a list that empties and reads a registration back as stored', async () => {
    const kv = await createMemoryTransport().kv('waits');
    const waits = new WaitIndex(kv);
    await waits.register('+55 11', { executionId: 'ex_1', step: 'reply', purpose: 'wait' });
    expect(await waits.lookup('+55 11')).toEqual([{ executionId: 'ex_1', step: 'reply', purpose: 'wait' }]);
    await waits.unregister('+55 11', 'ex_1', 'reply');
    expect(await kv.keys()).toEqual([]);
  });
});
