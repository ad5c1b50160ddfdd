/**
 * Listing and metrics from the index (issue 11, bounded growth): pages with
 * filters read only the page's records, never scan the bucket, and skip
 * index keys a crash left behind. On the memory transport and on NATS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type KvStore, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { keyOf } from '../src/store/execution-index.ts';
import type { ExecutionRecord } from '../src/store/execution-record.ts';

interface Setup {
  transport: Transport;
  prefix: string;
  cleanup(): Promise<void>;
}

const targets: Array<[string, (clock: ManualClock) => Promise<Setup>]> = [
  ['memory', async (clock) => ({ transport: createMemoryTransport({ clock }), prefix: 'sqf', cleanup: async () => {} })],
  ['nats', (clock) => withNatsTransport('idx', { clock })],
];

/** Counts reads of the executions bucket: gets one by one, and scans. */
function counting(transport: Transport, bucket: string): { transport: Transport; gets: () => number; scans: () => number } {
  let gets = 0;
  let scans = 0;
  const wrap = (kv: KvStore): KvStore =>
    Object.assign(Object.create(kv) as KvStore, {
      get: (key: string) => (gets++, kv.get(key)),
      entries: (filter?: string) => (scans++, kv.entries(filter)),
      keys: (filter?: string) => (scans++, kv.keys(filter)),
    });
  return {
    transport: { ...transport, kv: async (b, o) => (b === bucket ? wrap(await transport.kv(b, o)) : transport.kv(b, o)) },
    gets: () => gets,
    scans: () => scans,
  };
}

describe.each(targets)('execution index on %s', (_name, make) => {
  let setup: Setup | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await setup?.transport.close();
    await setup?.cleanup();
    orchestrator = setup = undefined;
  });

  it('pages newest first with status, workflow and time filters, reading only the page records', async () => {
    const clock = new ManualClock(Date.parse('2026-02-01T00:00:00Z'));
    setup = await make(clock);
    const { transport, prefix } = setup;
    const n = names(prefix);
    // No squad answers `slow`: those executions stay running; `quick` has a step that fails at once (no squad: none).
    orchestrator = await Orchestrator.start({ transport, prefix, logger: silentLogger(), retention: { retention: 'off' } });
    const spy = counting(transport, n.buckets.executions);
    const client = await EngineClient.connect({ transport: spy.transport, prefix });
    await client.registerWorkflow(workflow('slow').task('a', { squad: 'nobody', action: 'x' }).build());
    await client.registerWorkflow(workflow('other').task('a', { squad: 'nobody', action: 'x' }).build());
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(await client.trigger(i % 3 === 0 ? 'other' : 'slow', { i }));
      await clock.advance(1_000);
    }
    await clock.advance(0);
    await orchestrator.idle();
    const newestFirst = [...ids].reverse();

    const before = { gets: spy.gets(), scans: spy.scans() };
    const first = await client.pageExecutions({ limit: 5 });
    expect(first.executions.map((e) => e.executionId)).toEqual(newestFirst.slice(0, 5));
    expect(spy.scans() - before.scans).toBe(0);
    expect(spy.gets() - before.gets).toBeLessThanOrEqual(5 + 4);

    const rest = await client.pageExecutions({ limit: 5, cursor: first.nextCursor! });
    const last = await client.pageExecutions({ limit: 5, cursor: rest.nextCursor! });
    expect([...rest.executions, ...last.executions].map((e) => e.executionId)).toEqual(newestFirst.slice(5));
    expect(last.nextCursor).toBeUndefined();

    const others = await client.listExecutions({ workflow: 'other' });
    expect(others.map((e) => e.executionId)).toEqual(newestFirst.filter((id) => ids.indexOf(id) % 3 === 0));
    const since = (await client.getExecution(ids[10]!))!.createdAt;
    expect((await client.listExecutions({ since })).map((e) => e.executionId)).toEqual([ids[11], ids[10]]);
    expect(await client.listExecutions({ status: 'completed' })).toEqual([]);
    expect(await client.listExecutions({ status: ['running', 'pending'], workflow: 'slow' })).toHaveLength(8);

    const metrics = await client.metrics();
    expect(metrics.total).toBe(12);
    expect(metrics.byStatus.running + metrics.byStatus.pending).toBe(12);
    expect(spy.scans() - before.scans).toBe(0);
  });

  it('skips a stale key a crash left (the record moved on), and the record is listed once', async () => {
    const clock = new ManualClock(Date.parse('2026-02-01T00:00:00Z'));
    setup = await make(clock);
    const { transport, prefix } = setup;
    const n = names(prefix);
    orchestrator = await Orchestrator.start({ transport, prefix, logger: silentLogger(), retention: { retention: 'off' } });
    const client = await EngineClient.connect({ transport, prefix });
    await client.registerWorkflow(workflow('slow').task('a', { squad: 'nobody', action: 'x' }).build());
    const id = await client.trigger('slow', {});
    await clock.advance(0);
    await orchestrator.idle();
    const view = (await client.getExecution(id))!;
    expect(view.status).toBe('running');
    // A crash between the record's write and the delete of its previous key: the `pending` key is still there.
    const index = await transport.kv(n.buckets.executionIndex);
    const stale = keyOf({ ...(view as unknown as ExecutionRecord), status: 'pending' });
    await index.put(stale, new TextEncoder().encode(JSON.stringify({ at: view.createdAt })));
    expect(await index.keys(`*.slow.${id}`)).toHaveLength(2);
    expect((await client.listExecutions()).map((e) => [e.executionId, e.status])).toEqual([[id, 'running']]);
    expect(await client.listExecutions({ status: 'pending' })).toEqual([]);
    expect((await client.metrics()).byStatus).toMatchObject({ running: 1, pending: 0 });
  });
});
