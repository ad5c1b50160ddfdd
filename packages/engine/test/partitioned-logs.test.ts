/**
 * Creation logs per partition (issue 15): each execution is logged in the
 * logs of its partition (one writer per log in steady state), and a listing
 * merges them newest first, with the un-partitioned logs the version before
 * wrote as one more source (their executions are still listed, paged and
 * forgotten by retention). On memory and on NATS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, partitionOf, SquadflowError } from '@squadflow/shared';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { pageExecutions } from '../src/client/execution-listing.ts';
import { openStores, type EngineStores } from '../src/store/open-stores.ts';
import type { ExecutionRecord } from '../src/store/execution-record.ts';

const targets: Array<[string, () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>]> = [
  [
    'memory',
    async () => {
      const transport = createMemoryTransport();
      return { transport, prefix: 'sqf', cleanup: () => transport.close() };
    },
  ],
  ['nats', () => withNatsTransport('plog')],
];

const record = (executionId: string, createdAt: number, workflow: string): ExecutionRecord => ({
  v: 1,
  executionId,
  workflow,
  status: 'completed',
  createdAt,
  updatedAt: createdAt,
  context: {},
});

/** Every page of a listing, `limit` at a time: the ids in listing order. */
async function allPages(stores: EngineStores, filter: { workflow?: string; limit: number }): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await pageExecutions(stores, { ...filter, ...(cursor ? { cursor } : {}) });
    ids.push(...page.executions.map((e) => e.executionId));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('the listing did not end');
}

describe.each(targets)('partitioned creation logs (%s)', (_kind, make) => {
  let opened: { transport: Transport; prefix: string; cleanup(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('logs each execution in its partition, pages the merge newest first once each, and still lists and forgets the old logs’ executions', async () => {
    opened = await make();
    const n = names(opened.prefix);
    const stores = await openStores(opened.transport, n);
    const logKv = await opened.transport.kv(n.buckets.executionLog);
    const created: ExecutionRecord[] = [];
    // Logged by the version before: entries in the un-partitioned logs, markers without a partition.
    for (let i = 0; i < 12; i++) {
      const r = record(`old_${i}`, 1_000 + i * 20, i % 2 ? 'a' : 'b');
      await stores.executions.create(r);
      await stores.index.removed(r); // takes the entries this version wrote off: the record stays
      const [all, wf] = [
        await stores.index.log().append(r.executionId, r.createdAt),
        await stores.index.log(r.workflow).append(r.executionId, r.createdAt),
      ];
      await logKv.put(`x.${r.executionId}`, new TextEncoder().encode(JSON.stringify({ all, wf })));
      created.push(r);
    }
    // Logged by this version, created in between and after (some in the same moment).
    for (let i = 0; i < 40; i++) {
      const r = record(`new_${String(i).padStart(2, '0')}`, 1_010 + i * 10 - (i % 3 === 0 ? 10 : 0), i % 2 ? 'a' : 'b');
      await stores.executions.create(r);
      created.push(r);
    }
    await stores.index.settled();
    const marker = JSON.parse(new TextDecoder().decode((await logKv.get('x.new_07'))!.value)) as { p: number; all: number };
    expect(marker.p).toBe(partitionOf('new_07'));
    expect(await logKv.get(`log.p${marker.p}.${marker.all}`)).not.toBeNull();

    const newest = (rs: ExecutionRecord[]) =>
      [...rs].sort((x, y) => y.createdAt - x.createdAt || (x.executionId < y.executionId ? 1 : -1)).map((r) => r.executionId);
    for (const limit of [1, 7, 100]) expect(await allPages(stores, { limit })).toEqual(newest(created));
    expect(await allPages(stores, { limit: 5, workflow: 'a' })).toEqual(newest(created.filter((r) => r.workflow === 'a')));

    // A cursor of the version before (a position in one log) still pages on: what sorts after it.
    const third = newest(created)[2]!;
    const at = created.find((r) => r.executionId === third)!.createdAt;
    const oldCursor = Buffer.from(JSON.stringify([at, third, 40])).toString('base64url');
    expect((await pageExecutions(stores, { limit: 3, cursor: oldCursor })).executions.map((e) => e.executionId)).toEqual(
      newest(created).slice(3, 6),
    );
    const bad = Buffer.from(JSON.stringify([at, third, [1, -2]])).toString('base64url');
    await expect(pageExecutions(stores, { cursor: bad })).rejects.toBeInstanceOf(SquadflowError);

    // Retention forgets an old execution's entry in the un-partitioned log, and a new one's in its partition's.
    const old = created.find((r) => r.executionId === 'old_3')!;
    const oldMarker = JSON.parse(new TextDecoder().decode((await logKv.get('x.old_3'))!.value)) as { all: number };
    await stores.index.removed(old);
    await stores.index.removed(created.find((r) => r.executionId === 'new_07')!);
    expect(await logKv.get(`log.${oldMarker.all}`)).toBeNull();
    expect(await logKv.get(`log.p${marker.p}.${marker.all}`)).toBeNull();
    expect(await logKv.get('x.old_3')).toBeNull();
    const left = created.filter((r) => r.executionId !== 'old_3' && r.executionId !== 'new_07');
    expect(await allPages(stores, { limit: 6 })).toEqual(newest(left));
  });
});
