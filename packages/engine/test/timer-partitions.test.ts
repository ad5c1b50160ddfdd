import { describe, expect, it } from 'vitest';
import { partitionOf, silentLogger, type TimerFired } from '@squadflow/shared';
import { createMemoryTransport, ManualClock } from '@squadflow/transport';
import { TAKEOVER_AFTER_MS, SWEEP_INTERVAL_MS, TimerService } from '../src/timers/timer-service.ts';

/** An execution id in the partition wanted (ids are hashed, so look for one). */
function idIn(partition: number, avoid: readonly string[] = []): string {
  for (let i = 0; ; i++) {
    const id = `ex_${i}`;
    if (partitionOf(id) === partition && !avoid.includes(id)) return id;
  }
}

const timer = (executionId: string, dueAt: number, kind: TimerFired['timer'] = 'delay'): TimerFired => ({
  kind: 'timer',
  id: `${executionId}.s.1.${kind}`,
  executionId,
  step: 's',
  attempt: 1,
  timer: kind,
  dueAt,
});

async function setup(held: Set<number>) {
  const clock = new ManualClock();
  const transport = createMemoryTransport({ clock });
  const kv = await transport.kv('timers');
  const fired: string[] = [];
  const asked: string[] = [];
  const make = () =>
    new TimerService(kv, clock, async (t) => void fired.push(t.id), silentLogger(), {
      owns: (p) => held.has(p),
      foreign: async (executionId, timerId) => void asked.push(`${executionId} ${timerId}`),
    });
  return { clock, kv, fired, asked, service: make(), make };
}

describe('timers by partition', () => {
  const mine = idIn(3);
  const theirs = idIn(4);

  it('arms only the timers of held partitions; another partition’s is stored, and its holder is asked to arm it', async () => {
    const { clock, kv, fired, asked, service } = await setup(new Set([3]));
    await service.start();
    await service.arm(timer(mine, clock.now() + 1_000));
    await service.arm(timer(theirs, clock.now() + 1_000));
    await service.arm(timer(theirs, clock.now() + 1_000, 'timeout')); // volatile: not stored anywhere, only asked for
    await clock.advance(2_000);
    expect(fired).toEqual([`${mine}.s.1.delay`]);
    expect(asked).toEqual([`${theirs} ${theirs}.s.1.delay`, `${theirs} ${theirs}.s.1.timeout`]);
    expect(await kv.keys()).toEqual([`${theirs}.s.1.delay`]);
    service.stop();
  });

  it('a partition won arms its stored timers (overdue ones at once); one given up fires none', async () => {
    const held = new Set<number>();
    const { clock, fired, service, make } = await setup(held);
    // Stored by another replica that held partitions 3 and 4.
    const other = make();
    held.add(3).add(4);
    await other.arm(timer(mine, clock.now() + 1_000));
    await other.arm(timer(theirs, clock.now() + 5_000));
    await other.drop([3, 4]);
    other.stop();
    held.clear();

    await service.start();
    await clock.advance(2_000);
    expect(fired).toEqual([]); // nothing held yet
    held.add(3);
    expect(await service.adopt([3])).toBe(1);
    await clock.advance(0);
    expect(fired).toEqual([`${mine}.s.1.delay`]); // overdue: fires at once
    held.add(4);
    await service.adopt([4]);
    held.delete(4);
    await service.drop([4]);
    await clock.advance(10_000);
    expect(fired).toEqual([`${mine}.s.1.delay`]);
    service.stop();
  });

  it('the sweep takes over overdue timers of held partitions only', async () => {
    const { clock, kv, fired, service } = await setup(new Set([3]));
    await service.start();
    // Stored by replicas that died, long overdue.
    for (const t of [timer(mine, clock.now() - TAKEOVER_AFTER_MS), timer(theirs, clock.now() - TAKEOVER_AFTER_MS)]) {
      await kv.put(t.id, new TextEncoder().encode(JSON.stringify(t)));
    }
    await clock.advance(SWEEP_INTERVAL_MS);
    await clock.advance(0);
    expect(fired).toEqual([`${mine}.s.1.delay`]);
    service.stop();
  });

  it('a timer whose partition lapsed before it fired (this process was paused) is left to the holder', async () => {
    const held = new Set([3]);
    const { clock, fired, service } = await setup(held);
    await service.start();
    await service.arm(timer(mine, clock.now() + 1_000));
    held.delete(3); // the lease ran out; the drop has not come yet
    await clock.advance(2_000);
    expect(fired).toEqual([]);
    service.stop();
  });
});
