import { encodeToken, PARTITIONS, type Logger } from '@squadflow/shared';
import { KvConflictError, kvRecords, type Clock, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';
import { assignPartitions } from './assignment.ts';

const LeaseSchema = z.object({ owner: z.string(), until: z.number() });
const MemberSchema = z.object({ replica: z.string(), until: z.number() });
type Lease = z.output<typeof LeaseSchema>;

/** How long a lease or a membership entry holds without renewal (default). */
export const DEFAULT_LEASE_TTL_MS = 5_000;
/** How often a replica renews its leases and membership, and looks at the others' (default). */
export const DEFAULT_LEASE_RENEW_MS = 1_000;

export interface PartitionLeasesOptions {
  kv: KvStore;
  /** This replica's id: unique among live replicas (the same id on a restart takes its own leases back at once). */
  replica: string;
  clock: Clock;
  logger: Logger;
  ttlMs?: number;
  renewMs?: number;
  partitions?: number;
  /** Called with partitions just won: start consuming them, arm their timers, recover their executions. */
  gain(partitions: number[]): Promise<void>;
  /**
   * Called with partitions given up or lost: stop consuming them and let
   * their events in progress finish, disarm their timers. `owns` is already
   * false for them. The lease is deleted only after this resolves.
   */
  lose(partitions: number[]): Promise<void>;
}

interface Held {
  /** The lease's revision as this replica last wrote it. */
  revision: number;
  /** Until when (this replica's clock) the lease is surely still this replica's: the `until` it wrote. */
  until: number;
}

/**
 * The partition leases of one orchestrator replica (docs/architecture.md,
 * "Partitions and leases"). Every `renewMs` it:
 * 1. writes its membership (`member.<replica>` = until now + ttl);
 * 2. reads the live members and computes the partition map (`assignPartitions`);
 * 3. renews its leases at the revision it wrote (compare-and-set: losing it
 *    means another replica took the lease, so the partition is dropped), and
 *    drops any whose renewal came too late (this process was paused past it);
 * 4. releases the partitions the map gives to another live replica
 *    (`lose`, then the lease is deleted at its revision);
 * 5. takes the partitions the map gives it whose lease is absent, expired
 *    or already its own (create or update with compare-and-set, so two
 *    replicas never both win one), then `gain`.
 * A replica that dies stops renewing: after `ttlMs` its membership and
 * leases are expired, the map leaves it out, and the others take its
 * partitions. Leases are an efficiency and ownership device, not the
 * correctness one: every execution write is still a compare-and-set.
 */
export class PartitionLeases {
  private readonly held = new Map<number, Held>();
  private readonly leases: KvRecords<Lease>;
  private readonly members: KvRecords<z.output<typeof MemberSchema>>;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly count: number;
  private alarm: unknown;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: PartitionLeasesOptions) {
    this.leases = kvRecords(o.kv, LeaseSchema);
    this.members = kvRecords(o.kv, MemberSchema);
    this.ttlMs = o.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.renewMs = o.renewMs ?? DEFAULT_LEASE_RENEW_MS;
    this.count = o.partitions ?? PARTITIONS;
  }

  /** Runs the first round (a lone replica, or one restarted under its id, owns its partitions when this resolves), then one every `renewMs`. */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  /** Whether this replica holds the partition now (a lease past its `until` is not held, even before the next round notices). */
  owns(partition: number): boolean {
    const h = this.held.get(partition);
    return h !== undefined && this.o.clock.now() < h.until;
  }

  /** The partitions held, ascending. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** One round (serialized with any other): see the class comment. Failures are logged; the next round tries again. */
  tick(): Promise<void> {
    this.running = this.running.then(() =>
      this.round().catch((err: unknown) => this.o.logger.warn({ err }, 'partition lease round failed')),
    );
    return this.running;
  }

  /** Releases every partition (after `lose`) and leaves the membership, so the others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.alarm !== undefined) this.o.clock.clearTimer(this.alarm);
    await this.running;
    const all = [...this.held.entries()];
    this.held.clear();
    if (all.length) await this.o.lose(all.map(([p]) => p));
    await Promise.all(all.map(([p, h]) => this.deleteLease(p, h.revision)));
    await this.o.kv.forget(this.memberKey()).catch((err: unknown) => this.o.logger.warn({ err }, 'leaving the replica membership failed'));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.alarm = this.o.clock.setTimer(this.o.clock.now() + this.renewMs, () => {
      void this.tick().finally(() => this.schedule());
    });
  }

  private memberKey(): string {
    return `member.${encodeToken(this.o.replica)}`;
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const { clock, replica } = this.o;
    const now = clock.now();
    const until = now + this.ttlMs;
    await this.members.put(this.memberKey(), { replica, until });
    const alive = (await this.members.entries('member.*')).filter((m) => m.value.until > now).map((m) => m.value.replica);
    const map = assignPartitions([...alive, replica], this.count);
    const leases = new Map<number, { value: Lease; revision: number }>();
    for (const entry of await this.leases.entries('lease.*')) leases.set(Number(entry.key.slice('lease.'.length)), entry);

    const lost: number[] = [];
    const released: Array<[number, Held]> = [];
    const renewals: Promise<void>[] = [];
    for (const [p, h] of this.held) {
      // Renewed too late: another replica may hold it already.
      if (h.until <= clock.now()) lost.push(p);
      else if (map.get(p) !== replica) released.push([p, h]);
      else {
        // All at once: a round's renewals take one KV round trip, however many partitions are held.
        renewals.push(
          this.leases.update(leaseKey(p), { owner: replica, until }, h.revision).then(
            (revision) => void this.held.set(p, { revision, until }),
            (err: unknown) => {
              if (!(err instanceof KvConflictError)) throw err;
              lost.push(p);
            },
          ),
        );
      }
    }
    await Promise.all(renewals);
    for (const p of [...lost, ...released.map(([p]) => p)]) this.held.delete(p);
    if (lost.length) {
      this.o.logger.warn({ partitions: lost }, 'partition leases lost (renewed too late or taken): dropping them');
      await this.o.lose(lost);
    }
    if (released.length) {
      this.o.logger.info({ partitions: released.map(([p]) => p) }, 'releasing partitions to other replicas');
      await this.o.lose(released.map(([p]) => p));
      await Promise.all(released.map(([p, h]) => this.deleteLease(p, h.revision)));
    }

    const won: number[] = [];
    for (let p = 0; p < this.count; p++) {
      if (map.get(p) !== replica || this.held.has(p) || this.stopped) continue;
      const current = leases.get(p);
      if (current && current.value.owner !== replica && current.value.until > clock.now()) continue; // held by another, live
      try {
        const revision = current
          ? await this.leases.update(leaseKey(p), { owner: replica, until }, current.revision)
          : await this.leases.create(leaseKey(p), { owner: replica, until });
        this.held.set(p, { revision, until });
        won.push(p);
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err; // another replica was quicker: the next round looks again
      }
    }
    if (won.length) {
      this.o.logger.info({ partitions: won, replicas: new Set(map.values()).size }, 'partitions taken');
      try {
        await this.o.gain(won);
      } catch (err) {
        // Not consuming them: give them back rather than hold partitions nobody serves.
        const given = won.map((p) => [p, this.held.get(p)!] as const);
        for (const p of won) this.held.delete(p);
        await this.o.lose(won).catch(() => undefined);
        await Promise.all(given.map(([p, h]) => this.deleteLease(p, h.revision)));
        throw err;
      }
    }
  }

  private async deleteLease(partition: number, revision: number): Promise<void> {
    try {
      await this.leases.delete(leaseKey(partition), { revision });
    } catch (err) {
      // Taken meanwhile by another replica (after it expired): theirs now; anything else expires by itself.
      if (!(err instanceof KvConflictError)) this.o.logger.warn({ err, partition }, 'deleting a partition lease failed; it expires');
    }
  }
}

const leaseKey = (partition: number): string => `lease.${partition}`;
