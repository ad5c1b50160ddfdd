import { createMemoryTransport, subjectMatches, type DeliveredMessage, type Transport } from '@squadflow/transport';
import { Collector, cleanupPrefix, natsUrl, uniquePrefix } from '@squadflow/transport/testing';
import { connectNatsTransport } from '@squadflow/transport';
import { names, silentLogger, SquadflowError, stepCommandCodec, stepReplyCodec, type StepCommand, type StepReply } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSquad } from '../src/directory.ts';
import { defineSquad, startSquad, type Delivery, type RunningSquad } from '../src/index.ts';

/**
 * `delivery` per action: a command whose ack is lost (its process died after
 * publishing the reply) is delivered again. At most once (the default), the
 * redelivery finds the idempotency record and does not run the handler; at
 * least once, it runs the handler again. Both publish under the reply's one
 * message id, so the inbound stream keeps one answer either way.
 */

interface Rig {
  transport: Transport;
  prefix: string;
  /** Every reply publish, before the stream's dedup. */
  published: Collector<StepReply>;
  /** Replies as the inbound stream stored them. */
  stored: Collector<StepReply>;
  /** Deliveries whose ack was replaced by a nak (one per command: its first). */
  lostAcks: Set<string>;
  close(): Promise<void>;
}

let rig: Rig | undefined;
let squad: RunningSquad | undefined;
afterEach(async () => {
  await squad?.stop();
  await rig?.close();
  rig = squad = undefined;
});

/**
 * Wraps a transport so that the first delivery of each step command loses its
 * ack (a nak instead: the server redelivers it, as after a crash between the
 * reply and the ack), and spies on reply publications.
 */
async function rigOn(base: Transport, prefix: string, cleanup: () => Promise<void>): Promise<Rig> {
  const n = names(prefix);
  const published = new Collector<StepReply>();
  const stored = new Collector<StepReply>();
  const lostAcks = new Set<string>();
  const transport: Transport = {
    ...base,
    streams: {
      ...base.streams,
      ensure: (config) => base.streams.ensure(config),
      remove: (name) => base.streams.remove(name),
      last: (stream, subject) => base.streams.last(stream, subject),
      read: (stream, filter, fromSeq) => base.streams.read(stream, filter, fromSeq),
      publish: async (subject, data, options) => {
        await base.streams.publish(subject, data, options);
        if (subjectMatches(n.inboundFilter('reply'), subject)) published.push(stepReplyCodec.decode(data));
      },
      consume: (stream, options, handler) =>
        base.streams.consume(stream, options, (msg) => {
          if (stream !== n.streams.commands) return handler(msg);
          const id = stepCommandCodec.decode(msg.data).id;
          if (lostAcks.has(id)) return handler(msg);
          lostAcks.add(id);
          const losing: DeliveredMessage = {
            subject: msg.subject,
            data: msg.data,
            deliveryCount: msg.deliveryCount,
            header: (name) => msg.header(name),
            ack: () => msg.nak(0),
            nak: (delayMs) => msg.nak(delayMs),
            term: () => msg.term(),
            working: () => msg.working(),
          };
          return handler(losing);
        }),
    },
    kv: (bucket, kvOptions) => base.kv(bucket, kvOptions),
    removeKv: (bucket) => base.removeKv(bucket),
    close: () => base.close(),
  };
  return { transport, prefix, published, stored, lostAcks, close: cleanup };
}

const adapters: Array<[string, () => Promise<Rig>]> = [
  [
    'memory',
    async () => {
      const base = createMemoryTransport();
      return rigOn(base, uniquePrefix('dlv'), () => base.close());
    },
  ],
  [
    'NATS',
    async () => {
      const prefix = uniquePrefix('dlv');
      const base = await connectNatsTransport({ servers: natsUrl(), name: `test-${prefix}` });
      return rigOn(base, prefix, async () => {
        await base.close();
        await cleanupPrefix(prefix);
      });
    },
  ],
];

function command(action: string, step: string): StepCommand {
  return {
    id: `exec-1.${step}.1`,
    executionId: 'exec-1',
    workflow: 'invoice',
    step,
    attempt: 1,
    squad: 'billing',
    action,
    compensation: false,
    input: {},
    deadline: Date.now() + 60_000,
  };
}

/** Starts a `billing` squad (default delivery `squadDelivery`) whose actions count their runs, and collects stored replies. */
async function start(r: Rig, squadDelivery: Delivery | undefined): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  const count = (action: string) => () => ({ run: runs.set(action, (runs.get(action) ?? 0) + 1).get(action) });
  squad = await startSquad({
    definition: defineSquad({
      name: 'billing',
      ...(squadDelivery ? { delivery: squadDelivery } : {}),
      actions: {
        charge: { handler: count('charge') },
        notify: { delivery: 'at-least-once', handler: count('notify') },
        audit: { delivery: 'at-most-once', handler: count('audit') },
      },
    }),
    transport: r.transport,
    prefix: r.prefix,
    logger: silentLogger(),
  });
  const n = names(r.prefix);
  await r.transport.streams.consume(
    n.streams.inbound,
    { durable: 'test_replies', filterSubject: n.inboundFilter('reply') },
    async (msg) => {
      r.stored.push(stepReplyCodec.decode(msg.data));
      msg.ack();
    },
  );
  return runs;
}

async function send(r: Rig, c: StepCommand): Promise<void> {
  await r.transport.streams.publish(names(r.prefix).command('billing', c.action), stepCommandCodec.encode(c), { msgId: c.id });
}

describe.each(adapters)('delivery after a lost ack (%s)', (_name, make) => {
  it('at most once by default: the redelivery does not run the handler again, and the stream keeps its one real answer', async () => {
    rig = await make();
    const runs = await start(rig, undefined);
    const c = command('charge', 'a');
    await send(rig, c);
    // The real reply, then the redelivery's INTERRUPTED under the same message id (dropped by the stream).
    const published = await rig.published.count(2);
    expect(runs.get('charge')).toBe(1);
    expect(published[0]).toMatchObject({ commandId: c.id, ok: true, output: { run: 1 } });
    expect(published[1]).toMatchObject({ commandId: c.id, ok: false, error: { code: 'INTERRUPTED' } });
    const marker = command('audit', 'marker');
    await send(rig, marker);
    const stored = await rig.stored.until((items) => items.some((r) => r.commandId === marker.id), 'the marker reply');
    expect(stored.filter((r) => r.commandId === c.id)).toEqual([published[0]]);
    // The marker (at most once, declared) behaved the same: one run.
    expect(runs.get('audit')).toBe(1);
  });

  it('at least once (declared on the action): the redelivery runs the handler again; the stream keeps the first answer', async () => {
    rig = await make();
    const runs = await start(rig, undefined);
    const c = command('notify', 'b');
    await send(rig, c);
    const published = await rig.published.count(2);
    expect(runs.get('notify')).toBe(2);
    expect(published.map((r) => r.ok && r.output)).toEqual([{ run: 1 }, { run: 2 }]);
    const kv = await rig.transport.kv(names(rig.prefix).buckets.idempotency);
    expect(await kv.keys()).toEqual([]);
    const stored = await rig.stored.count(1);
    expect(stored).toEqual([published[0]]);
  });

  it('at least once (declared on the squad) applies to every action that does not declare its own', async () => {
    rig = await make();
    const runs = await start(rig, 'at-least-once');
    await send(rig, command('charge', 'c'));
    await rig.published.count(2);
    expect(runs.get('charge')).toBe(2);
    await send(rig, command('audit', 'd'));
    await rig.published.count(4); // the audit's real reply, then its redelivery's INTERRUPTED
    expect(runs.get('audit')).toBe(1);
  });
});

describe('the delivery option', () => {
  it('is checked by defineSquad, with an error naming the field', () => {
    const bad = (definition: object) => {
      try {
        defineSquad(definition as Parameters<typeof defineSquad>[0]);
      } catch (err) {
        expect(err).toBeInstanceOf(SquadflowError);
        return (err as SquadflowError).issues?.map((i) => i.path);
      }
      throw new Error('accepted');
    };
    expect(bad({ name: 'b', delivery: 'exactly-once', actions: { a: () => 1 } })).toEqual(['delivery']);
    expect(bad({ name: 'b', actions: { a: { delivery: 'twice', handler: () => 1 } } })).toEqual(['actions.a.delivery']);
  });

  it("shows in the action's description only when a redelivery may run it again", () => {
    const d = describeSquad(
      defineSquad({
        name: 'b',
        delivery: 'at-least-once',
        actions: { a: () => 1, b: { delivery: 'at-most-once', handler: () => 1 } },
      }),
      0,
    );
    expect(d.actions['a']).toEqual({ delivery: 'at-least-once' });
    expect(d.actions['b']).toEqual({});
  });
});
