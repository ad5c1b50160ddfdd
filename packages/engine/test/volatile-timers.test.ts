import { afterEach, describe, expect, it } from 'vitest';
import { names as makeNames, silentLogger, workflow } from '@squadflow/shared';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';

/**
 * Step timeouts are kept only in memory (no KV write per attempt). These
 * tests show that they are still never lost: a new orchestrator re-arms
 * them from the execution's snapshot, due at the same time.
 */
describe('step timeouts held in memory', () => {
  const open: Array<{ stop(): Promise<void> } | Transport> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await ('close' in x ? x.close() : x.stop());
  });

  const def = workflow('slow')
    .task('call', { squad: 'nobody', action: 'wait', timeout: '10s', retry: { retries: 1, initialInterval: '1s', jitter: 0 } })
    .wait('other', { signal: 'go' })
    .build();

  async function running(clock: ManualClock) {
    const transport = createMemoryTransport({ clock });
    open.push(transport);
    const first = await Orchestrator.start({ transport, logger: silentLogger() });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(def);
    const id = await client.trigger('slow', {});
    await clock.advance(0);
    await first.idle();
    const view = await client.getExecution(id);
    expect(view?.steps.find((s) => s.name === 'call')?.status).toBe('running');
    return { transport, first, client, id };
  }

  it('are not written to the timers bucket, yet fire at their due time', async () => {
    const clock = new ManualClock();
    const { transport, first, client, id } = await running(clock);
    open.push(first);
    const timers = await transport.kv(makeNames('sqf').buckets.timers);
    expect(await timers.keys()).toEqual([]);
    await clock.advance(9_999);
    expect((await client.getExecution(id))?.steps[0]?.attempts.length).toBe(1);
    await clock.advance(1);
    await first.idle();
    // Timed out: the retry policy waits 1 s (a stored backoff timer), then dispatches attempt 2 (no jitter).
    expect(await timers.keys()).toEqual([`${id}.call.1.backoff`]);
    await clock.advance(1_000);
    await first.idle();
    expect((await client.getExecution(id))?.steps[0]?.attempts.length).toBe(2);
  });

  it('are re-armed from the snapshot by the next orchestrator, due at the same time (not early, not lost)', async () => {
    const clock = new ManualClock();
    const { transport, first, client, id } = await running(clock);
    // A later event of the execution, so its last outbox no longer holds the timeout's start.
    await client.signal('go');
    await clock.advance(0);
    await first.idle();
    expect((await client.getExecution(id))?.steps.find((s) => s.name === 'other')?.status).toBe('completed');
    await first.stop(); // its in-memory alarm dies with it
    await clock.advance(4_000);
    const second = await Orchestrator.start({ transport, logger: silentLogger() });
    open.push(second);
    await second.recovered();
    await clock.advance(5_999); // 9,999 ms after the dispatch
    await second.idle();
    expect((await client.getExecution(id))?.steps[0]?.attempts.map((a) => a.status)).toEqual(['running']);
    expect(await (await transport.kv(makeNames('sqf').buckets.timers)).keys()).toEqual([]);
    await clock.advance(1);
    await second.idle();
    expect((await client.getExecution(id))?.steps[0]?.attempts.map((a) => a.status)).toEqual(['timed_out']);
  });

  it('are re-armed even when the recovery pass has to retry (its first scan of the records failed)', async () => {
    const clock = new ManualClock();
    const { transport, first, client, id } = await running(clock);
    await client.signal('go'); // a later event, so the timeout's start is no longer in the last outbox
    await clock.advance(0);
    await first.stop();
    let failures = 1;
    const flaky: Transport = {
      ...transport,
      streams: transport.streams,
      bus: transport.bus,
      clock: transport.clock,
      maxPayload: transport.maxPayload,
      kv: async (bucket, options) => {
        const kv = await transport.kv(bucket, options);
        if (bucket !== makeNames('sqf').buckets.executions) return kv;
        return {
          bucket: kv.bucket,
          get: (k) => kv.get(k),
          create: (k, v) => kv.create(k, v),
          update: (k, v, r) => kv.update(k, v, r),
          put: (k, v) => kv.put(k, v),
          delete: (k, o) => kv.delete(k, o),
          forget: (k) => kv.forget(k),
          keys: (f) => kv.keys(f),
          entries: (f) => (failures-- > 0 ? Promise.reject(new Error('NATS hiccup')) : kv.entries(f)),
        };
      },
      removeKv: (b) => transport.removeKv(b),
      close: () => transport.close(),
    };
    const second = await Orchestrator.start({ transport: flaky, logger: silentLogger() });
    open.push(second);
    await clock.advance(1_000); // the retry's pause
    await second.recovered();
    expect(failures).toBe(-1); // failed once, then scanned again
    await clock.advance(8_999); // 9,999 ms after the dispatch
    await second.idle();
    expect((await client.getExecution(id))?.steps[0]?.attempts.map((a) => a.status)).toEqual(['running']);
    await clock.advance(1);
    await second.idle();
    expect((await client.getExecution(id))?.steps[0]?.attempts.map((a) => a.status)).toEqual(['timed_out']);
  });
});
