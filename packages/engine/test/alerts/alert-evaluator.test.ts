/**
 * The evaluator over real stores, on the memory transport and on NATS: an
 * alert fires once however many evaluators look (compare-and-set per alert),
 * resolves once when its condition goes, a lease lets one evaluator look per
 * period, and a change stored but not published goes out at the next look.
 */
import { alertCodec, AlertRuleSchema, names, silentLogger, type AlertEvent } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { Collector, withNatsTransport } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../../src/index.ts';
import { openStores } from '../../src/store/open-stores.ts';

interface Setup {
  transport: Transport;
  prefix: string;
  cleanup(): Promise<void>;
}

const targets: Array<[string, (clock: ManualClock) => Promise<Setup>]> = [
  ['memory', async (clock) => ({ transport: createMemoryTransport({ clock }), prefix: 'sqf', cleanup: async () => {} })],
  ['nats', (clock) => withNatsTransport('alerts', { clock })],
];

const RULES = [AlertRuleSchema.parse({ id: 'stuck_waits', kind: 'stuck', statuses: ['waiting'], limit: '2s' })];
const HOUR = 3_600_000;

describe.each(targets)('alert evaluator (%s)', (_name, setup) => {
  let env: Setup | undefined;
  const started: AlertEvaluator[] = [];
  afterEach(async () => {
    for (const e of started.splice(0)) await e.stop();
    await env?.cleanup();
    env = undefined;
  });

  async function world(clock: ManualClock) {
    env = await setup(clock);
    const { transport, prefix } = env;
    const n = names(prefix);
    const start = (holder: string) =>
      AlertEvaluator.start({ transport, prefix, logger: silentLogger(), rules: RULES, intervalMs: HOUR, holder, clock }).then((e) => {
        started.push(e);
        return e;
      });
    const [a, b] = [await start('a'), await start('b')];
    const events = new Collector<AlertEvent>();
    await transport.streams.consume(n.streams.lifecycle, { durable: `${prefix}_alert_test`, filterSubject: n.alertsAll }, async (msg) => {
      events.push(alertCodec.decode(msg.data));
      msg.ack();
    });
    const stores = await openStores(transport, n);
    const t = clock.now();
    await stores.executions.create({
      v: 1,
      executionId: 'e_stuck',
      workflow: 'checkout',
      status: 'waiting',
      createdAt: t,
      updatedAt: t,
      context: {},
    });
    return { a, b, events, stores };
  }

  it('two evaluators looking at once fire the alert once, and resolve it once when the execution moves on', async () => {
    const clock = new ManualClock();
    const { a, b, events, stores } = await world(clock);
    // Let the looks each evaluator starts with run to their end first (their next alarm is an hour away):
    // otherwise the clock's advance below also fires them, and whichever look wins the compare-and-set reports the alert.
    await clock.advance(0);
    await Promise.all([a.tick(), b.tick()]);
    expect((await Promise.all([a.evaluate(), b.evaluate()])).flatMap((l) => l.fired)).toEqual([]);
    await clock.advance(2000);
    const looks = await Promise.all([a.evaluate(), b.evaluate()]);
    expect(looks.flatMap((l) => l.fired)).toEqual(['stuck_waits.checkout']);
    await events.count(1);
    expect(events.items[0]).toMatchObject({
      id: 'stuck_waits.checkout.1.firing',
      type: 'alert.firing',
      rule: 'stuck_waits',
      kind: 'stuck',
      workflow: 'checkout',
      value: 1,
      executions: ['e_stuck'],
    });
    // Further looks while it holds change nothing.
    await clock.advance(5000);
    expect((await Promise.all([a.evaluate(), b.evaluate()])).flatMap((l) => [...l.fired, ...l.resolved])).toEqual([]);

    const stored = (await stores.executions.read('e_stuck'))!;
    await stores.executions.update({ ...stored.record, status: 'completed', updatedAt: clock.now() }, stored.revision);
    const resolved = await Promise.all([a.evaluate(), b.evaluate()]);
    expect(resolved.flatMap((l) => l.resolved)).toEqual(['stuck_waits.checkout']);
    await events.count(2);
    expect(events.items.map((e) => e.id)).toEqual(['stuck_waits.checkout.1.firing', 'stuck_waits.checkout.1.resolved']);
    expect((await a.states.list()).map((s) => [s.key, s.state, s.fired, s.published])).toEqual([
      ['stuck_waits.checkout', 'resolved', 1, true],
    ]);
  });

  it('one evaluator holds the lease per period; another takes over once it lapses', async () => {
    const clock = new ManualClock();
    const { a, b } = await world(clock);
    // Both look at start (their first alarm is due at once): whichever took the lease keeps it, the other skips.
    await clock.advance(0);
    const looks = await Promise.all([a.tick(), b.tick()]);
    expect(looks.filter((l) => l !== undefined)).toHaveLength(1);
    const [holder, other] = looks[0] ? [a, b] : [b, a];
    expect(await other.tick()).toBeUndefined();
    expect(await holder.tick()).toBeDefined();
    // The holder stops; its lease lapses after two periods and the other takes over.
    await holder.stop();
    await clock.advance(2 * HOUR);
    await other.tick(); // may join the look its alarm began an hour earlier, while the lease still held
    expect(await other.tick()).toBeDefined();
  });
});

describe('alert evaluator: a change stored but not published', () => {
  it('is published by the next look, with the same id (compute, persist, act)', async () => {
    const clock = new ManualClock();
    const base = createMemoryTransport({ clock });
    let refuse = true;
    // A publish that fails once, as a crash between the stored change and its event would leave it.
    const transport: Transport = {
      ...base,
      streams: Object.assign(Object.create(base.streams) as Transport['streams'], {
        publish: (subject: string, data: Uint8Array, options?: { msgId?: string }) => {
          if (refuse && subject.startsWith('sqf.alert.')) {
            refuse = false;
            return Promise.reject(new Error('NATS unavailable'));
          }
          return base.streams.publish(subject, data, options);
        },
      }),
    };
    const evaluator = await AlertEvaluator.start({
      transport,
      prefix: 'sqf',
      logger: silentLogger(),
      rules: RULES,
      intervalMs: HOUR,
      clock,
    });
    const n = names('sqf');
    const events = new Collector<AlertEvent>();
    await base.streams.consume(n.streams.lifecycle, { durable: 'alert_test', filterSubject: n.alertsAll }, async (msg) => {
      events.push(alertCodec.decode(msg.data));
      msg.ack();
    });
    const stores = await openStores(base, n);
    await stores.executions.create({
      v: 1,
      executionId: 'e1',
      workflow: 'checkout',
      status: 'waiting',
      createdAt: clock.now(),
      updatedAt: clock.now(),
      context: {},
    });
    await clock.advance(2000);
    await expect(evaluator.evaluate()).rejects.toThrow('NATS unavailable');
    expect((await evaluator.states.list()).map((s) => [s.state, s.published])).toEqual([['firing', false]]);
    const next = await evaluator.evaluate();
    expect([next.fired, next.published]).toEqual([[], 1]);
    await events.count(1);
    expect(events.items.map((e) => e.id)).toEqual(['stuck_waits.checkout.1.firing']);
    expect((await evaluator.states.list()).map((s) => [s.state, s.published])).toEqual([['firing', true]]);
    await evaluator.stop();
  });
});
