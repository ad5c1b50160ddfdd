/**
 * What a scrape and a first page read does not grow with what is stored
 * (issue 13, part 4): the KV entries read by `executionCounts` (what
 * `/metrics` reads) and by the first pages of `pageExecutions` (with and
 * without workflow and status filters) are counted through a wrapper
 * around the transport's KV port, with 200 and with 500 executions stored
 * (the same few in flight), on memory and on NATS. Reads are counted, not
 * timed: `pnpm bench --scenario readscale` times them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, PARTITIONS, type ExecutionStatus } from '@squadflow/shared';
import { createMemoryTransport, type KvStore, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { EngineClient } from '../src/index.ts';
import { openStores } from '../src/store/open-stores.ts';
import type { ExecutionRecord } from '../src/store/execution-record.ts';

/** The smaller size still fills every partition's creation log past the pages read (a log run dry costs fewer reads). */
const SIZES = [200, 500] as const;
const LIMIT = 20;
/** In flight whatever is stored: 3 running and 2 waiting. */
const ACTIVE: ExecutionStatus[] = ['running', 'running', 'running', 'waiting', 'waiting'];

/** Counts what is read from KV: one per get, one per listing plus one per entry it returned. */
function counting(transport: Transport): { transport: Transport; reads: () => number } {
  let reads = 0;
  const wrap = (kv: KvStore): KvStore =>
    Object.assign(Object.create(kv) as KvStore, {
      get: (key: string) => (reads++, kv.get(key)),
      keys: async (filter?: string) => {
        const keys = await kv.keys(filter);
        reads += 1 + keys.length;
        return keys;
      },
      entries: async (filter?: string) => {
        const entries = await kv.entries(filter);
        reads += 1 + entries.length;
        return entries;
      },
    });
  return { transport: { ...transport, kv: async (b, o) => wrap(await transport.kv(b, o)) }, reads: () => reads };
}

/** Stores `n` executions through the execution store (so the index hooks run), the last five still in flight. */
async function store(transport: Transport, prefix: string, n: number): Promise<string[]> {
  const stores = await openStores(transport, names(prefix));
  const base = Date.parse('2026-03-01T00:00:00Z');
  const ids: string[] = [];
  const one = async (i: number): Promise<void> => {
    const executionId = `ex_${String(i).padStart(5, '0')}`;
    ids[i] = executionId;
    const workflow = i % 2 ? 'b' : 'a';
    const at = base + i * 1000;
    const record: ExecutionRecord = { v: 1, executionId, workflow, status: 'pending', createdAt: at, updatedAt: at, context: { i } };
    await stores.executions.create(record);
    const active = i >= n - ACTIVE.length ? ACTIVE[i - (n - ACTIVE.length)] : undefined;
    await stores.executions.mutate(executionId, (r) => (r ? { ...r, status: 'running' } : undefined));
    const end: ExecutionStatus = active ?? (i % 10 === 0 ? 'failed' : 'completed');
    if (end !== 'running') await stores.executions.mutate(executionId, (r) => (r ? { ...r, status: end } : undefined));
  };
  // In order of creation, a few at a time (creation logs keep the order in which they were appended).
  for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => one(i + k)));
  // The head hints are written in batches (a lagging hint costs the probe a batch of reads): settle them first.
  await stores.index.settled();
  return ids;
}

const targets: Array<[string, () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>]> = [
  [
    'memory',
    async () => {
      const transport = createMemoryTransport();
      return { transport, prefix: 'sqf', cleanup: () => transport.close() };
    },
  ],
  ['nats', () => withNatsTransport('rb')],
];

describe.each(targets)('reads of a scrape and of first pages (%s)', (_kind, make) => {
  const opened: Array<{ transport: Transport; cleanup(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.cleanup();
  });

  it('read as many KV entries with 500 executions stored as with 200, and list the newest first', async () => {
    const reads: Record<string, Record<number, number>> = {};
    for (const n of SIZES) {
      const target = await make();
      opened.push(target);
      const ids = await store(target.transport, target.prefix, n);
      const spy = counting(target.transport);
      const client = await EngineClient.connect({ transport: spy.transport, prefix: target.prefix });
      const measure = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
        const before = spy.reads();
        const result = await op();
        (reads[what] ??= {})[n] = spy.reads() - before;
        return result;
      };

      const counts = await measure('scrape counts', () => client.executionCounts());
      expect(counts.active.reduce((sum, c) => sum + c.count, 0)).toBe(ACTIVE.length);
      const ended = (s: string) => counts.ended.filter((c) => c.status === s).reduce((sum, c) => sum + c.count, 0);
      expect(ended('completed') + ended('failed')).toBe(n - ACTIVE.length);

      const newest = [...ids].reverse();
      const first = await measure('first page', () => client.pageExecutions({ limit: LIMIT }));
      expect(first.executions.map((e) => e.executionId)).toEqual(newest.slice(0, LIMIT));
      const second = await measure('second page', () => client.pageExecutions({ limit: LIMIT, cursor: first.nextCursor! }));
      expect(second.executions.map((e) => e.executionId)).toEqual(newest.slice(LIMIT, 2 * LIMIT));
      const ofA = await measure('first page of a workflow', () => client.pageExecutions({ limit: LIMIT, workflow: 'a' }));
      expect(ofA.executions.map((e) => e.executionId)).toEqual(newest.filter((id) => Number(id.slice(3)) % 2 === 0).slice(0, LIMIT));
      const done = await measure('first page of completed', () => client.pageExecutions({ limit: LIMIT, status: 'completed' }));
      expect(done.executions).toHaveLength(LIMIT);
      expect(done.executions.every((e) => e.status === 'completed')).toBe(true);
      const running = await measure('running ones', () => client.pageExecutions({ status: ['running', 'waiting'] }));
      expect(running.executions.map((e) => e.executionId)).toEqual(newest.slice(0, ACTIVE.length));
    }
    for (const [what, byN] of Object.entries(reads)) {
      // A lagging head hint costs a probe or two, and how the newest executions fall over the partitions' logs moves
      // the read-ahead refills by a few; nothing grows with what is stored.
      expect(byN[500], `${what}: ${byN[200]} reads at 200, ${byN[500]} at 500`).toBeLessThanOrEqual(byN[200]! + 10);
      // Per creation log merged (one per partition and the un-partitioned one of the version before): a head hint, a
      // head probe, a tail hint and an entry read ahead.
      expect(byN[500], what).toBeLessThanOrEqual(3 * LIMIT + 20 + 4 * (PARTITIONS + 1));
    }
  }, 120_000);
});
