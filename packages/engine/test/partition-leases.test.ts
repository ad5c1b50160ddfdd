import { describe, expect, it } from 'vitest';
import { PARTITIONS, silentLogger } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type KvStore } from '@squadflow/transport';
import { assignPartitions } from '../src/partitions/assignment.ts';
import { PartitionLeases } from '../src/partitions/partition-leases.ts';

describe('assignPartitions', () => {
  it('gives every partition to one replica, balanced, whatever order the replicas are listed in', () => {
    for (const replicas of [['a'], ['a', 'b'], ['a', 'b', 'c'], ['r1', 'r2', 'r3', 'r4', 'r5']]) {
      const map = assignPartitions(replicas);
      expect(map.size).toBe(PARTITIONS);
      const counts = replicas.map((r) => [...map.values()].filter((o) => o === r).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      expect(assignPartitions([...replicas].reverse())).toEqual(map);
    }
  });

  it('moves few partitions besides the newcomer’s share when a replica joins', () => {
    const before = assignPartitions(['a', 'b']);
    const after = assignPartitions(['a', 'b', 'c']);
    const moved = [...after].filter(([p, owner]) => owner !== 'c' && before.get(p) !== owner).length;
    expect(moved).toBeLessThanOrEqual(2);
  });
});

/** One replica with its own clock (advancing only another's clock freezes this one, as SIGSTOP would). */
function replica(kv: KvStore, name: string, clock: ManualClock, events: string[]) {
  const leases: PartitionLeases = new PartitionLeases({
    kv,
    replica: name,
    clock,
    logger: silentLogger(),
    ttlMs: 5_000,
    renewMs: 1_000,
    gain: async (ps) => void events.push(`${name}+${ps.join(',')}`),
    lose: async (ps) => {
      // `owns` is already false for what is being given up: nothing new is armed for it meanwhile.
      for (const p of ps) expect(leases.owns(p)).toBe(false);
      events.push(`${name}-${ps.join(',')}`);
    },
  });
  return leases;
}

const all = Array.from({ length: PARTITIONS }, (_, p) => p);

describe('PartitionLeases', () => {
  async function setup() {
    const transport = createMemoryTransport();
    const kv = await transport.kv('t_leases');
    const events: string[] = [];
    const clocks = { a: new ManualClock(), b: new ManualClock(), c: new ManualClock() };
    return { kv, events, clocks };
  }
  /** Both clocks move together, a round at a time (each replica's round completes before the next). */
  async function advance(clocks: ManualClock[], ms: number, replicas: PartitionLeases[]) {
    for (let t = 0; t < ms; t += 500) {
      for (const c of clocks) await c.advance(500);
      await Promise.all(replicas.map((r) => r.tick()));
      // Never two holders of one partition, at any moment.
      const owned = replicas.flatMap((r) => r.owned().filter((p) => r.owns(p)));
      expect(new Set(owned).size).toBe(owned.length);
    }
  }

  it('a lone replica holds every partition once it has started', async () => {
    const { kv, events, clocks } = await setup();
    const a = replica(kv, 'a', clocks.a, events);
    await a.start();
    expect(a.owned()).toEqual(all);
    expect(events).toEqual([`a+${all.join(',')}`]);
    await a.stop();
  });

  it('a replica that joins gets its share, released by the other first; leaving gives it back at once', async () => {
    const { kv, events, clocks } = await setup();
    const a = replica(kv, 'a', clocks.a, events);
    await a.start();
    const b = replica(kv, 'b', clocks.b, events);
    await b.start();
    await advance([clocks.a, clocks.b], 3_000, [a, b]);
    expect(a.owned().length).toBe(PARTITIONS / 2);
    expect(b.owned().length).toBe(PARTITIONS / 2);
    expect([...a.owned(), ...b.owned()].sort((x, y) => x - y)).toEqual(all);
    // b's partitions went to it only after a had released them (lose before the lease is deleted).
    const released = events.findIndex((e) => e.startsWith('a-'));
    const taken = events.findIndex((e) => e.startsWith('b+'));
    expect(released).toBeGreaterThanOrEqual(0);
    expect(taken).toBeGreaterThan(released);

    await b.stop(); // graceful: releases its leases and leaves the membership
    await advance([clocks.a], 1_000, [a]);
    expect(a.owned()).toEqual(all);
    await a.stop();
  });

  it('a dead replica’s partitions move after the lease ttl; when it wakes it finds them gone and owns nothing', async () => {
    const { kv, events, clocks } = await setup();
    const [a, b, c] = [replica(kv, 'a', clocks.a, events), replica(kv, 'b', clocks.b, events), replica(kv, 'c', clocks.c, events)];
    for (const r of [a, b, c]) await r.start();
    await advance([clocks.a, clocks.b, clocks.c], 3_000, [a, b, c]);
    expect([a, b, c].map((r) => r.owned().length).sort()).toEqual([5, 5, 6]);
    const ofC = c.owned();

    // c is frozen: its clock stands still, its rounds do not run.
    await advance([clocks.a, clocks.b], 4_000, [a, b]);
    expect([...a.owned(), ...b.owned()].filter((p) => ofC.includes(p))).toEqual([]); // not before the ttl
    await advance([clocks.a, clocks.b], 3_000, [a, b]);
    expect([...a.owned(), ...b.owned()].sort((x, y) => x - y)).toEqual(all);

    // c wakes: past its leases' `until`, it owns none of them even before its next round, which drops them.
    await clocks.c.advance(7_000);
    expect(ofC.filter((p) => c.owns(p))).toEqual([]);
    await c.tick();
    expect(events).toContain(`c-${ofC.join(',')}`);
    // It rejoins and gets a share again, handed over by the others.
    await advance([clocks.a, clocks.b, clocks.c], 4_000, [a, b, c]);
    expect([a, b, c].map((r) => r.owned().length).sort()).toEqual([5, 5, 6]);
    for (const r of [a, b, c]) await r.stop();
  });

  it('a replica restarted under its id takes its own leases back at once', async () => {
    const { kv, events, clocks } = await setup();
    const first = replica(kv, 'a', clocks.a, events);
    await first.start(); // then dies without releasing
    const again = replica(kv, 'a', clocks.a, events);
    await again.start();
    expect(again.owned()).toEqual(all);
    await again.stop();
  });
});
