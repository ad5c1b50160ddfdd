/**
 * Orchestrator replicas sharing partitions, on the memory and the NATS
 * adapters alike: the partitions split between live replicas, an execution's
 * events and timers go to its partition's holder, and a replica that leaves
 * hands its partitions over; executions started anywhere (a trigger is taken
 * by any replica) complete, their step timeouts and delays held by the right
 * replica.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, PARTITIONS, silentLogger, stepCommandCodec, stepReplyCodec, workflow } from '@squadflow/shared';
import { connectNatsTransport, createMemoryTransport, ensureStreams, type Transport } from '@squadflow/transport';
import { cleanupPrefix, natsUrl, uniquePrefix, until } from '@squadflow/transport/testing';
import { EngineClient, Orchestrator } from '../src/index.ts';

const LEASES = { leaseTtlMs: 1_500, leaseRenewMs: 200 };

/** A squad that answers every command at once. */
async function answering(transport: Transport, prefix: string, squad: string): Promise<void> {
  const n = names(prefix);
  await transport.streams.consume(n.streams.commands, { durable: `t_${squad}`, filterSubject: n.squadCommands(squad) }, async (msg) => {
    const c = stepCommandCodec.decode(msg.data);
    const reply = {
      kind: 'reply' as const,
      commandId: c.id,
      executionId: c.executionId,
      step: c.step,
      attempt: c.attempt,
      compensation: c.compensation,
      ok: true,
      output: {},
    };
    await transport.streams.publish(n.reply(c.executionId), stepReplyCodec.encode(reply), { msgId: `${c.id}.reply` });
    msg.ack();
  });
}

interface Target {
  name: string;
  /** Transports for the replicas and the client (one each on NATS, one shared in memory) and the prefix. */
  open(count: number): Promise<{ transports: Transport[]; prefix: string }>;
}

const targets: Target[] = [
  {
    name: 'memory',
    open: async (count) => {
      const t = createMemoryTransport();
      return { transports: Array.from({ length: count }, () => t), prefix: 'sqf' };
    },
  },
  {
    name: 'nats',
    open: async (count) => ({
      transports: await Promise.all(Array.from({ length: count }, () => connectNatsTransport({ servers: natsUrl() }))),
      prefix: uniquePrefix('parts'),
    }),
  },
];

describe.each(targets)('partitioned replicas ($name)', (target) => {
  const replicas: Orchestrator[] = [];
  let opened: { transports: Transport[]; prefix: string } | undefined;
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((o) => o.stop()));
    await Promise.all([...new Set(opened?.transports ?? [])].map((t) => t.close()));
    if (target.name === 'nats' && opened) await cleanupPrefix(opened.prefix);
    opened = undefined;
  });

  it(
    'split the partitions, complete executions started anywhere, and hand partitions over when one leaves',
    { timeout: 60_000 },
    async () => {
      opened = await target.open(3);
      const { transports, prefix } = opened;
      const [ta, tb, tc] = transports as [Transport, Transport, Transport];
      const a = await Orchestrator.start({ transport: ta, prefix, logger: silentLogger(), replicaId: 'a', ...LEASES });
      replicas.push(a);
      expect(a.ownedPartitions()).toHaveLength(PARTITIONS); // alone: every partition
      const b = await Orchestrator.start({ transport: tb, prefix, logger: silentLogger(), replicaId: 'b', ...LEASES });
      replicas.push(b);
      await until(
        'the partitions to be split',
        async () => [a.ownedPartitions().length, b.ownedPartitions().length],
        (counts) => counts.every((c) => c === PARTITIONS / 2),
        20_000,
      );
      expect(new Set([...a.ownedPartitions(), ...b.ownedPartitions()]).size).toBe(PARTITIONS);

      await answering(tc, prefix, 'sq');
      const client = await EngineClient.connect({ transport: tc, prefix });
      await client.registerWorkflow(
        workflow('parted')
          .task('first', { squad: 'sq', action: 'go', timeout: '30s' })
          .task('later', { squad: 'sq', action: 'go', delay: '300ms', dependsOn: ['first'], timeout: '30s' })
          .build(),
      );
      const ids = await Promise.all(Array.from({ length: 24 }, (_, i) => client.trigger('parted', { i })));
      for (const id of ids) expect((await client.waitFor(id, undefined, 20_000)).status).toBe('completed');

      // Signals are taken by any replica: a delay armed by applying one off the holder is armed by the holder
      // (a rearm control), well before the sweep (15 s, for timers 10 s overdue) would find it.
      await client.registerWorkflow(
        workflow('signalled')
          .wait('hold', { signal: 'go_{i}', timeout: '1h' })
          .task('after', { squad: 'sq', action: 'go', delay: '200ms', dependsOn: ['hold'], timeout: '30s' })
          .build(),
      );
      const waiting = await Promise.all(Array.from({ length: 12 }, (_, i) => client.trigger('signalled', { i })));
      for (let i = 0; i < waiting.length; i++)
        await until(
          `execution ${i} to wait`,
          () => client.isWaiting(`go_${i}`),
          (w) => w,
          10_000,
        );
      for (let i = 0; i < waiting.length; i++) await client.signal(`go_${i}`, {});
      for (const id of waiting) expect((await client.waitFor(id, undefined, 8_000)).status).toBe('completed');

      // b leaves (a graceful stop hands its leases back): a holds everything again, and new work completes.
      await b.stop();
      replicas.splice(replicas.indexOf(b), 1);
      await until(
        'a to hold every partition',
        async () => a.ownedPartitions(),
        (owned) => owned.length === PARTITIONS,
        10_000,
      );
      const more = await Promise.all(Array.from({ length: 8 }, (_, i) => client.trigger('parted', { i: 100 + i })));
      for (const id of more) expect((await client.waitFor(id, undefined, 20_000)).status).toBe('completed');
    },
  );
  it('narrows the shared durable an older version left on every inbound subject, so the partitions can be consumed', async () => {
    opened = await target.open(1);
    const [t] = opened.transports as [Transport];
    const n = names(opened.prefix);
    await ensureStreams(t, n);
    const old = await t.streams.consume(n.streams.inbound, { durable: n.consumers.orchestrator, filterSubject: n.inboundAll }, async (m) =>
      m.ack(),
    );
    await old.stop();
    const o = await Orchestrator.start({ transport: t, prefix: opened.prefix, logger: silentLogger(), replicaId: 'a', ...LEASES });
    replicas.push(o);
    expect(o.ownedPartitions()).toHaveLength(PARTITIONS);
  });
});
