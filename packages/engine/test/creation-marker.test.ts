/**
 * The creation entries of an execution and their `x.<id>` marker (issue 15,
 * part 2): the entries are written ahead of the record, the marker after it
 * (off the critical path), by the one writer whose record create won; a
 * writer whose create lost marks its entries repeats. On memory and on NATS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, partitionOf } from '@squadflow/shared';
import { createMemoryTransport, KvConflictError, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { openStores } from '../src/store/open-stores.ts';
import type { ExecutionRecord } from '../src/store/execution-record.ts';

const targets: Array<[string, () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>]> = [
  [
    'memory',
    async () => {
      const transport = createMemoryTransport();
      return { transport, prefix: 'sqf', cleanup: () => transport.close() };
    },
  ],
  ['nats', () => withNatsTransport('cmark')],
];

const record = (executionId: string): ExecutionRecord => ({
  v: 1,
  executionId,
  workflow: 'wf',
  status: 'pending',
  createdAt: 1_000,
  updatedAt: 1_000,
  context: {},
});

describe.each(targets)('creation marker (%s)', (_kind, make) => {
  let opened: { transport: Transport; prefix: string; cleanup(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('two processes create the same execution at once: one record, one marker, the loser’s entries are repeats, and retention forgets the winner’s', async () => {
    opened = await make();
    const n = names(opened.prefix);
    // Two processes: each with its own stores (its own index and creation logs) over the same buckets.
    const [a, b] = await Promise.all([openStores(opened.transport, n), openStores(opened.transport, n)]);
    const results = await Promise.allSettled([a.executions.create(record('ex_1')), b.executions.create(record('ex_1'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(KvConflictError);
    await Promise.all([a.index.settled(), b.index.settled()]);

    const logKv = await opened.transport.kv(n.buckets.executionLog);
    const marker = JSON.parse(new TextDecoder().decode((await logKv.get('x.ex_1'))!.value)) as { all: number; wf: number; p: number };
    // Both wrote ahead (seqs 1 and 2 in each log of the execution's partition); the listing reads one entry, the winner's.
    const p = partitionOf('ex_1');
    expect(marker.p).toBe(p);
    const entries = await a.index.log(undefined, p).read([1, 2]);
    expect(entries).toEqual([{ seq: marker.all, executionId: 'ex_1', createdAt: 1_000 }]);
    expect((await a.index.log('wf', p).read([1, 2])).map((e) => e.seq)).toEqual([marker.wf]);

    await a.index.removed(record('ex_1'));
    expect(await logKv.get('x.ex_1')).toBeNull();
    expect(await logKv.get(`log.p${p}.${marker.all}`)).toBeNull();
    expect(await logKv.get(`wlog.wf.p${p}.${marker.wf}`)).toBeNull();
  });

  it('retention of an execution created a moment ago waits for its marker and forgets its entries', async () => {
    opened = await make();
    const n = names(opened.prefix);
    const stores = await openStores(opened.transport, n);
    await stores.executions.create(record('ex_2'));
    // No settle: the marker may still be being written.
    await stores.index.removed(record('ex_2'));
    const logKv = await opened.transport.kv(n.buckets.executionLog);
    expect(await logKv.get('x.ex_2')).toBeNull();
    expect(await stores.index.log(undefined, partitionOf('ex_2')).read([1])).toEqual([]);
  });
});
