import { PARTITIONS } from '@squadflow/shared';

/**
 * Which replica should hold each partition, given the live replicas: every
 * replica computes the same map from the same membership, so they agree
 * without talking. Balanced (each gets ⌊P/n⌋ or ⌈P/n⌉; the first replicas
 * by id take the extra ones) and sticky (rendezvous hashing: a partition
 * goes to the replica with the highest hash of (replica, partition) that
 * still has room), so a replica joining or leaving moves few partitions
 * besides its own share.
 */
export function assignPartitions(replicas: readonly string[], partitions = PARTITIONS): Map<number, string> {
  const members = [...new Set(replicas)].sort();
  const assigned = new Map<number, string>();
  if (members.length === 0) return assigned;
  const base = Math.floor(partitions / members.length);
  const extra = partitions % members.length;
  const room = new Map(members.map((m, i) => [m, base + (i < extra ? 1 : 0)]));
  for (let p = 0; p < partitions; p++) {
    const ranked = [...members].sort((a, b) => weight(b, p) - weight(a, p) || (a < b ? -1 : 1));
    const owner = ranked.find((m) => room.get(m)! > 0)!;
    room.set(owner, room.get(owner)! - 1);
    assigned.set(p, owner);
  }
  return assigned;
}

/** FNV-1a of `replica` and the partition: the rendezvous weight. */
function weight(replica: string, partition: number): number {
  let hash = 0x811c9dc5;
  const key = `${replica}\u0000${partition}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // One more mixing round: FNV's low bits change little with the last character.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}
