/**
 * Bounded growth (issue 11): ended executions leave the executions bucket
 * after their retention, archived first; they stay readable by id and
 * exportable; a keyed trigger does not start them again. In-process, with a
 * manual clock, on the memory transport and on NATS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, silentLogger, stepCommandCodec, stepReplyCodec, triggerCodec, workflow, type Names } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { openStores } from '../src/store/open-stores.ts';
import { RetentionSchedule } from '../src/retention/retention-schedule.ts';
import { RetentionSweeper } from '../src/retention/retention-sweeper.ts';
import { EventAttempts } from '../src/store/event-attempts.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Setup {
  transport: Transport;
  prefix: string;
  cleanup(): Promise<void>;
}

const targets: Array<[string, (clock: ManualClock) => Promise<Setup>]> = [
  [
    'memory',
    async (clock) => {
      const transport = createMemoryTransport({ clock });
      return { transport, prefix: 'sqf', cleanup: () => transport.close() };
    },
  ],
  ['nats', (clock) => withNatsTransport('ret', { clock })],
];

/** A squad that answers every command of `squad` at once. */
async function answer(transport: Transport, n: Names, squad: string): Promise<void> {
  await transport.streams.consume(n.streams.commands, { durable: `fake_${squad}`, filterSubject: n.squadCommands(squad) }, async (msg) => {
    const { id: commandId, executionId, step, attempt, compensation } = stepCommandCodec.decode(msg.data);
    const reply = { kind: 'reply' as const, commandId, executionId, step, attempt, compensation, ok: true, output: { done: step } };
    await transport.streams.publish(n.reply(executionId), stepReplyCodec.encode(reply), { msgId: `${commandId}.reply` });
    msg.ack();
  });
}

/** Polls `probe`, moving the manual clock `stepMs` between looks, until `check` holds (at most 200 looks). */
async function advanceUntil<T>(clock: ManualClock, stepMs: number, probe: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (check(value)) return value;
    await clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not reached');
}

describe.each(targets)('retention on %s', (_name, make) => {
  let setup: Setup | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await setup?.cleanup();
    orchestrator = setup = undefined;
  });

  async function start(clock: ManualClock, retention: string): Promise<{ client: EngineClient; n: Names }> {
    setup = await make(clock);
    const { transport, prefix } = setup;
    const n = names(prefix);
    orchestrator = await Orchestrator.start({ transport, prefix, logger: silentLogger(), retention: { retention, sweepIntervalMs: HOUR } });
    const client = await EngineClient.connect({ transport, prefix });
    await client.registerWorkflow(
      workflow('pair').task('a', { squad: 'sq', action: 'one' }).task('b', { squad: 'sq', action: 'two' }).build(),
    );
    await answer(transport, n, 'sq');
    return { client, n };
  }

  it('archives an ended execution after its retention: gone from KV, readable by id, exported, not started again by its key', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const { client, n } = await start(clock, '1d');
    const id = await client.trigger('pair', { x: 1 }, { idempotencyKey: 'order-1' });
    const ended = await advanceUntil(
      clock,
      0,
      () => client.getExecution(id),
      (v) => v?.status === 'completed',
    );
    expect(ended?.archived).toBeUndefined();

    const executions = await setup!.transport.kv(n.buckets.executions);
    await clock.advance(DAY - HOUR); // not due yet
    expect(await executions.get(id)).not.toBeNull();

    // The sweep deletes the record, then its retention entry: wait for the whole sweep, not its first step.
    const retention = await setup!.transport.kv(n.buckets.retention);
    await advanceUntil(
      clock,
      HOUR,
      async () => ({ record: await executions.get(id), due: await retention.keys() }),
      (s) => s.record === null && s.due.length === 0,
    );
    const archived = await client.getExecution(id);
    expect(archived).toMatchObject({ executionId: id, status: 'completed', archived: true, output: ended?.output });
    expect(archived?.steps.map((s) => s.name)).toEqual(['a', 'b']);
    expect(await (await setup!.transport.kv(n.buckets.retention)).keys()).toEqual([]);
    // Its index keys and creation entries left with it (docs/metrics.md): nothing but the logs' hints remains.
    expect(await (await setup!.transport.kv(n.buckets.executionIndex)).keys(`*.*.${id}`)).toEqual([]);
    expect((await (await setup!.transport.kv(n.buckets.executionLog)).keys()).filter((k) => !/\.(head|tail)$|^backfilled/.test(k))).toEqual(
      [],
    );
    expect(await client.listExecutions()).toEqual([]);

    // A trigger repeated with the same key after archiving: the same id, and nothing starts.
    expect(await client.trigger('pair', { x: 1 }, { idempotencyKey: 'order-1' })).toBe(id);
    await clock.advance(0);
    await orchestrator!.idle();
    expect(await executions.get(id)).toBeNull();
    // The same trigger published by another service straight onto NATS (no client to look in the archive):
    // the orchestrator's own check refuses to start it again.
    const raw = triggerCodec.encode({ kind: 'trigger', workflow: 'pair', idempotencyKey: 'order-1', context: { x: 1 } });
    await setup!.transport.streams.publish(n.trigger('pair'), raw, { msgId: 'raw-order-1' });
    // A sentinel published after it: once its execution exists, the repeat has been delivered and handled.
    const sentinel = triggerCodec.encode({ kind: 'trigger', workflow: 'pair', idempotencyKey: 'order-2', context: { x: 2 } });
    await setup!.transport.streams.publish(n.trigger('pair'), sentinel, { msgId: 'raw-order-2' });
    const second = await advanceUntil(
      clock,
      0,
      () => client.listExecutions(),
      (list) => list.length > 0,
    );
    await orchestrator!.idle();
    expect(await executions.get(id)).toBeNull();
    expect(second.map((v) => v.context)).toEqual([{ x: 2 }]);
    expect((await client.listExecutions()).map((v) => v.executionId)).not.toContain(id);

    const exported = [];
    for await (const view of client.exportArchive({ workflow: 'pair' })) exported.push(view);
    expect(exported.map((v) => [v.executionId, v.archived])).toEqual([[id, true]]);
    const none = [];
    for await (const view of client.exportArchive({ since: clock.now() })) none.push(view);
    expect(none).toEqual([]);
    await expect(async () => {
      for await (const _ of client.exportArchive({ since: -1 })) break;
    }).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'since' }] });
  });

  it('bounded growth: N executions end; after retention the executions bucket holds none of them', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const { client, n } = await start(clock, '2h');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await client.trigger('pair', { i }));
    await advanceUntil(
      clock,
      0,
      async () => Promise.all(ids.map((id) => client.getExecution(id))),
      (views) => views.every((v) => v?.status === 'completed'),
    );
    const executions = await setup!.transport.kv(n.buckets.executions);
    expect((await executions.keys()).length).toBe(30);
    await advanceUntil(
      clock,
      HOUR,
      () => executions.keys(),
      (keys) => keys.length === 0,
    );
    let count = 0;
    for await (const _ of client.exportArchive()) count++;
    expect(count).toBe(30);
  });

  it('a crash between archiving and deleting leaves the execution archived exactly once', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const { client, n } = await start(clock, '1h');
    await orchestrator!.stop(); // the sweeper of this test is driven by hand
    orchestrator = await Orchestrator.start({
      transport: setup!.transport,
      prefix: setup!.prefix,
      logger: silentLogger(),
      retention: { retention: '1h', sweepIntervalMs: 100 * DAY },
    });
    const id = await client.trigger('pair', {});
    await advanceUntil(
      clock,
      0,
      () => client.getExecution(id),
      (v) => v?.status === 'completed',
    );
    await clock.advance(2 * HOUR);
    const stores = await openStores(setup!.transport, n);
    const schedule = await RetentionSchedule.open(setup!.transport, n);
    const [departure] = await schedule.slot(Math.floor((clock.now() - 2 * HOUR + HOUR) / HOUR));
    expect(departure?.executionId).toBe(id);

    // The first sweeper archives, then dies before the delete.
    const stored = (await stores.executions.read(id))!;
    await stores.archive.put(stored.record, stored.revision, clock.now());
    // Past the stream's dedup window, another sweeper takes the departure over and does every step.
    await clock.advance(10 * 60_000);
    const sweeper = new RetentionSweeper({
      ...stores,
      schedule,
      attempts: await EventAttempts.open(setup!.transport, n),
      clock,
      logger: silentLogger(),
      retentionMs: HOUR,
      sweepIntervalMs: HOUR,
    });
    expect(await sweeper.retire(departure!)).toBe('archived');
    expect(await stores.executions.read(id)).toBeNull();
    // Run again (a crash after the delete): nothing changes.
    expect(await sweeper.retire(departure!)).toBe('gone');
    const copies = [];
    for await (const m of setup!.transport.streams.read(n.streams.archive, n.archive(id))) copies.push(m.seq);
    expect(copies).toHaveLength(1);
    expect((await client.getExecution(id))?.archived).toBe(true);
  });

  it('an execution rewound (retry from a step) while its departure falls due is not archived: the departure is dropped', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const { client, n } = await start(clock, '1h');
    await orchestrator!.stop(); // the sweeper of this test is driven by hand
    orchestrator = await Orchestrator.start({
      transport: setup!.transport,
      prefix: setup!.prefix,
      logger: silentLogger(),
      retention: { retention: '1h', sweepIntervalMs: 100 * DAY },
    });
    const { transport } = setup!;
    // Attempt 1 fails for good; later attempts are taken and never answered (the step keeps running).
    await transport.streams.consume(n.streams.commands, { durable: 'fake_flaky', filterSubject: n.squadCommands('flaky') }, async (msg) => {
      const { id: commandId, executionId, step, attempt, compensation } = stepCommandCodec.decode(msg.data);
      if (attempt === 1) {
        const error = { message: 'refused', retryable: false };
        const reply = { kind: 'reply' as const, commandId, executionId, step, attempt, compensation, ok: false, error };
        await transport.streams.publish(n.reply(executionId), stepReplyCodec.encode(reply), { msgId: `${commandId}.reply` });
      }
      msg.ack();
    });
    await client.registerWorkflow(
      workflow('kept')
        .task('a', { squad: 'sq', action: 'one' })
        .task('b', { squad: 'flaky', action: 'go', timeout: '30d', dependsOn: ['a'] })
        .build(),
    );
    const id = await client.trigger('kept', {});
    await advanceUntil(
      clock,
      0,
      () => client.getExecution(id),
      (v) => v?.status === 'failed',
    );
    const schedule = await RetentionSchedule.open(transport, n);
    const [departure] = await schedule.slot(Math.floor((clock.now() + HOUR) / HOUR));
    expect(departure?.executionId).toBe(id);

    await client.retryFromStep(id, 'a');
    await advanceUntil(
      clock,
      0,
      () => client.getExecution(id),
      (v) => v?.steps.find((s) => s.name === 'b')?.attempts.length === 2,
    );
    await clock.advance(2 * HOUR);
    const stores = await openStores(transport, n);
    const sweeper = new RetentionSweeper({
      ...stores,
      schedule,
      attempts: await EventAttempts.open(transport, n),
      clock,
      logger: silentLogger(),
      retentionMs: HOUR,
      sweepIntervalMs: HOUR,
    });
    expect(await sweeper.retire(departure!)).toBe('gone');
    expect((await stores.executions.read(id))?.record.status).toBe('running');
    expect(await stores.archive.get(id)).toBeNull();
  });

  it('an execution that ended before the index and the retention existed is indexed, then archived', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    setup = await make(clock);
    const { transport, prefix } = setup;
    const n = names(prefix);
    const old = {
      v: 1,
      executionId: 'ex_old',
      workflow: 'pair',
      status: 'completed',
      createdAt: clock.now() - DAY,
      updatedAt: clock.now() - HOUR,
    };
    const executions = await transport.kv(n.buckets.executions);
    await executions.put('ex_old', new TextEncoder().encode(JSON.stringify({ ...old, context: {} })));
    orchestrator = await Orchestrator.start({
      transport,
      prefix,
      logger: silentLogger(),
      retention: { retention: '2h', sweepIntervalMs: HOUR },
    });
    const client = await EngineClient.connect({ transport, prefix });
    expect((await client.listExecutions()).map((e) => e.executionId)).toEqual(['ex_old']);
    await advanceUntil(
      clock,
      HOUR,
      () => executions.get('ex_old'),
      (e) => e === null,
    );
    expect(await client.getExecution('ex_old')).toMatchObject({ status: 'completed', archived: true });
  });
});
