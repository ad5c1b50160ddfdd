/**
 * The index's parts that listing and metrics stand on (issue 13, part 4),
 * on memory and on NATS: creation logs shared by several writers, and the
 * ended counts that hundreds of executions bump at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTransport, type KvStore, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { CreationLog } from '../src/store/creation-log.ts';
import { EndedCounts } from '../src/store/ended-counts.ts';

const targets: Array<[string, () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>]> = [
  [
    'memory',
    async () => {
      const transport = createMemoryTransport();
      return { transport, prefix: 'sqf', cleanup: () => transport.close() };
    },
  ],
  ['nats', () => withNatsTransport('clog')],
];

describe.each(targets)('creation log and ended counts (%s)', (_kind, make) => {
  let opened: { transport: Transport; prefix: string; cleanup(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });
  const open = async (): Promise<KvStore> => {
    opened = await make();
    return opened.transport.kv(`${opened.prefix}_log`);
  };

  it('two writers appending at once take distinct slots, and the head and the entries account for every append', async () => {
    const kv = await open();
    // Two processes: each has its own log object (its own slot counter) over the same bucket.
    const [a, b] = [new CreationLog(kv, 'log'), new CreationLog(kv, 'log')];
    const appends = Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).append(`ex_${i}`, 1_000 + i));
    const seqs = await Promise.all(appends);
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(await new CreationLog(kv, 'log').head()).toBe(80);
    const entries = await a.read(seqs);
    expect(new Set(entries.map((e) => e.executionId)).size).toBe(80);
    expect(entries.find((e) => e.executionId === 'ex_7')).toMatchObject({ seq: seqs[7], createdAt: 1_007 });
  });

  it('writes the head hint once per batch of appends, not once per append; the probe reaches the head meanwhile, and settled writes it', async () => {
    const kv = await open();
    let hintWrites = 0;
    // Counts the writes of the head hint (every KV method but the reads takes the key first).
    const counting = new Proxy(kv, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (!['get', 'keys', 'entries'].includes(String(prop)) && args[0] === 'log.head') hintWrites++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const log = new CreationLog(counting, 'log');
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(`ex_${i}`, i)));
    expect(await new CreationLog(kv, 'log').head()).toBe(100);
    await log.settled();
    expect(JSON.parse(new TextDecoder().decode((await kv.get('log.head'))!.value))).toBe(100);
    // One write per 32 appends, plus the trailing one (and one per second on a slow machine): not 100.
    expect(hintWrites).toBeGreaterThan(0);
    expect(hintWrites).toBeLessThanOrEqual(10);
  });

  it('forgetting an entry above a lagging head hint raises the hint first, so the probe does not stop at the gap', async () => {
    const kv = await open();
    const log = new CreationLog(kv, 'log');
    for (let i = 1; i <= 5; i++) await log.append(`ex_${i}`, i);
    // Another process (the retention sweeper's) forgets an entry the hint has not reached yet.
    await new CreationLog(kv, 'log').forget(3);
    expect(await new CreationLog(kv, 'log').head()).toBe(5);
  });

  it('trim moves the tail over forgotten entries and stops at the first one still there', async () => {
    const kv = await open();
    const log = new CreationLog(kv, 'wlog.a');
    for (let i = 1; i <= 5; i++) await log.append(`ex_${i}`, i);
    for (const seq of [1, 2, 4]) await log.forget(seq);
    expect(await log.trim()).toBe(2);
    expect(await log.tail()).toBe(3);
    expect((await log.read([3, 4, 5])).map((e) => e.executionId)).toEqual(['ex_3', 'ex_5']);
    expect(await log.trim()).toBe(0);
  });

  it('a repeat (a writer that lost the race to log an execution) is skipped by reads, stepped over by the head probe, and trimmed', async () => {
    const kv = await open();
    const log = new CreationLog(kv, 'log');
    for (let i = 1; i <= 6; i++) await log.append(`ex_${i}`, i);
    // Another process's view: its head hint lags at 1 (written before the later appends).
    await kv.put('log.head', new TextEncoder().encode('1'));
    for (const seq of [2, 3]) await log.markRepeat(seq);
    // An empty slot at 2 would stop the probe there and hide 3..6 (the D3 fault test lost 13 of 20 executions so).
    expect(await new CreationLog(kv, 'log').head()).toBe(6);
    expect((await log.read([1, 2, 3, 4])).map((e) => e.executionId)).toEqual(['ex_1', 'ex_4']);
    await log.forget(1);
    expect(await log.trim()).toBe(3);
    expect(await kv.get('log.2')).toBeNull();
    expect(await log.tail()).toBe(4);
  });

  it('ended counts take a burst of concurrent ends as one count each, and retention takes them back', async () => {
    const kv = await open();
    const counts = new EndedCounts(kv);
    for (let i = 0; i < 200; i++) counts.add(i % 4 ? 'completed' : 'failed', 'orders', 1);
    await counts.settled();
    counts.add('completed', 'orders', -1);
    await counts.settled();
    expect((await counts.all()).sort((x, y) => x.status.localeCompare(y.status))).toEqual([
      { status: 'completed', workflow: 'orders', count: 149 },
      { status: 'failed', workflow: 'orders', count: 50 },
    ]);
  });
});
