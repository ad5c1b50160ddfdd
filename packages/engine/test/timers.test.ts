import { describe, expect, it } from 'vitest';
import { silentLogger, type TimerFired } from '@squadflow/shared';
import { createMemoryTransport, ManualClock } from '@squadflow/transport';
import { SWEEP_INTERVAL_MS, TAKEOVER_AFTER_MS, TimerService } from '../src/timers/timer-service.ts';

const timer = (id: string, dueAt: number): TimerFired => ({
  kind: 'timer',
  id,
  executionId: 'ex_1',
  step: 's',
  attempt: 1,
  timer: 'delay',
  dueAt,
});

async function setup(clock: ManualClock, fired: string[], fail = new Set<string>()) {
  const transport = createMemoryTransport({ clock });
  const kv = await transport.kv('timers');
  const service = new TimerService(
    kv,
    clock,
    async (t) => {
      if (fail.has(t.id)) {
        fail.delete(t.id);
        throw new Error('store unavailable');
      }
      fired.push(t.id);
    },
    silentLogger(),
  );
  return { kv, service };
}

describe('durable timers', () => {
  it('fire at their due time, in order, and not before', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const { service } = await setup(clock, fired);
    await service.arm(timer('b', clock.now() + 2_000));
    await service.arm(timer('a', clock.now() + 1_000));
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['a']);
    await clock.advance(5_000);
    expect(fired).toEqual(['a', 'b']);
  });

  it('are deleted from storage once their event was applied, and kept while it was not', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const { kv, service } = await setup(clock, fired, new Set(['x']));
    await service.arm(timer('x', clock.now() + 10));
    await clock.advance(10);
    expect(fired).toEqual([]);
    expect(await kv.keys()).toEqual(['x']); // the event failed: the timer stays and retries
    await clock.advance(1_000);
    expect(fired).toEqual(['x']);
    expect(await kv.keys()).toEqual([]);
  });

  it('survive a restart: a new service re-arms stored timers, and overdue ones fire at once', async () => {
    const clock = new ManualClock();
    const firstFired: string[] = [];
    const { kv, service } = await setup(clock, firstFired);
    await service.arm(timer('due-later', clock.now() + 60_000));
    await service.arm(timer('overdue', clock.now() + 1_000));
    service.stop(); // the process dies: nothing fires any more
    await clock.advance(5_000);
    expect(firstFired).toEqual([]);

    const fired: string[] = [];
    const restarted = new TimerService(kv, clock, async (t) => void fired.push(t.id), silentLogger());
    expect(await restarted.start()).toBe(2);
    await clock.advance(0);
    expect(fired).toEqual(['overdue']);
    await clock.advance(54_999);
    expect(fired).toEqual(['overdue']);
    await clock.advance(1);
    expect(fired).toEqual(['overdue', 'due-later']);
  });

  it('can be cancelled before they fire', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const { kv, service } = await setup(clock, fired);
    await service.arm(timer('c', clock.now() + 100));
    await service.cancel('c');
    await clock.advance(1_000);
    expect(fired).toEqual([]);
    expect(await kv.keys()).toEqual([]);
  });

  it('say whether this process holds a timer: armed, or firing right now', async () => {
    const clock = new ManualClock();
    const seen: boolean[] = [];
    const transport = createMemoryTransport({ clock });
    const service: TimerService = new TimerService(
      await transport.kv('timers'),
      clock,
      async (t) => void seen.push(service.holds(t.id)),
      silentLogger(),
    );
    expect(service.holds('t')).toBe(false);
    await service.arm(timer('t', clock.now() + 10));
    expect(service.holds('t')).toBe(true);
    await clock.advance(10);
    expect(seen).toEqual([true]); // held while its event is applied
    expect(service.holds('t')).toBe(false);
  });
});

/** A surviving replica's timer service, and a way to store timers as a replica that died did (no alarm here). */
async function survivorOf(onFire: (t: TimerFired) => Promise<boolean | void>) {
  const clock = new ManualClock();
  const kv = await createMemoryTransport({ clock }).kv('timers');
  const survivor = new TimerService(kv, clock, onFire, silentLogger());
  const storeElsewhere = (t: TimerFired) => kv.put(t.id, new TextEncoder().encode(JSON.stringify(t)));
  return { clock, kv, survivor, storeElsewhere };
}

describe('timers another replica armed', () => {
  it('are taken over once overdue when no process fired them, and deleted only at the revision taken', async () => {
    const fired: string[] = [];
    const { clock, kv, survivor, storeElsewhere } = await survivorOf(async (t) => void fired.push(t.id));
    await survivor.start();
    await storeElsewhere(timer('gone', clock.now() + 1_000));
    await storeElsewhere(timer('later', clock.now() + 60_000));
    await clock.advance(1_000 + TAKEOVER_AFTER_MS - 1);
    expect(await survivor.sweep()).toBe(0); // not overdue long enough: its replica may still fire it
    await clock.advance(SWEEP_INTERVAL_MS);
    // The periodic sweep took it over and fired it; "later" is not due.
    expect(fired).toEqual(['gone']);
    expect(await kv.keys()).toEqual(['later']);
    survivor.stop();
  });

  it('a taken-over timer re-armed meanwhile by its replica keeps its new entry', async () => {
    let release!: () => void;
    const applying = new Promise<void>((resolve) => (release = resolve));
    const { clock, kv, survivor, storeElsewhere } = await survivorOf(async () => {
      // While this replica applies it, the other one stores the same id again (a repeated delay).
      await storeElsewhere(timer('t', clock.now() + 5_000));
      await applying;
    });
    await storeElsewhere(timer('t', clock.now()));
    await clock.advance(TAKEOVER_AFTER_MS + 1);
    expect(await survivor.sweep()).toBe(1);
    await clock.advance(0);
    release();
    await new Promise((r) => setImmediate(r));
    expect(await kv.keys()).toEqual(['t']);
    survivor.stop();
  });

  it('a deferred timer (its execution is paused) is not taken over again at every sweep', async () => {
    const fires: string[] = [];
    const { clock, kv, survivor, storeElsewhere } = await survivorOf(async (t) => (fires.push(t.id), false));
    await storeElsewhere(timer('paused', clock.now()));
    await clock.advance(TAKEOVER_AFTER_MS + 1);
    expect(await survivor.sweep()).toBe(1);
    await clock.advance(0);
    expect(fires).toEqual(['paused']);
    expect(await survivor.sweep()).toBe(0);
    expect(await kv.keys()).toEqual(['paused']);
    survivor.stop();
  });
});
