import type { Logger, Names } from '@squadflow/shared';
import { EngineClient } from '../client/engine-client.ts';
import type { Transport } from '@squadflow/transport';
import { SlotFirer } from './fire.ts';
import { ScheduleStore } from './store.ts';

/** Back-off after a failed look at a schedule (NATS unreachable, a trigger that failed transiently). */
const RETRY_MS = 1_000;

export interface SchedulerOptions {
  transport: Transport;
  names: Names;
  logger: Logger;
  /**
   * Full re-read of the bucket this often, to see schedules that other
   * processes changed while their notice was lost. Default: 30 s on NATS;
   * none in memory, where every writer is in this process and its notices
   * cannot be lost.
   */
  pollMs?: number;
}

/**
 * Fires durable schedules: one per orchestrator, any number of replicas.
 * It keeps, per schedule, the time it next needs a look (the next slot, or a
 * queued slot's re-check) and arms one alarm on the clock at the earliest.
 * Each look re-reads the KV entry, so decisions never rest on a stale copy;
 * replicas race on slots and the compare-and-set in `SlotFirer` picks one.
 * Schedules created or changed elsewhere arrive as a core-NATS notice and,
 * should that be lost, with the next poll.
 */
export class Scheduler {
  private readonly wakes = new Map<string, number>();
  private alarm: unknown;
  private alarmAt: number | undefined;
  private running: Promise<void> | undefined;
  private scanning: Promise<void> | undefined;
  /** The bucket has not been listed successfully yet. */
  private scanPending = true;
  /** A notice or alarm arrived during a pass: run another. */
  private again = false;
  private nextPoll = 0;
  private stopped = false;
  private subscription?: { unsubscribe(): void };

  private constructor(
    private readonly options: SchedulerOptions,
    private readonly store: ScheduleStore,
    private readonly firer: SlotFirer,
    private readonly pollMs: number | undefined,
  ) {}

  /** Opens the bucket, subscribes to change notices and starts the first full look (not awaited: see `idle`). */
  static async start(options: SchedulerOptions): Promise<Scheduler> {
    const { transport, names: n } = options;
    const logger = options.logger.child({ component: 'scheduler' });
    const store = await ScheduleStore.open(transport, n);
    // The same trigger path as any caller: deterministic idempotency keys make a repeated slot the same execution.
    const client = await EngineClient.connect({ transport, prefix: n.prefix });
    const pollMs = options.pollMs ?? (transport.kind === 'nats' ? 30_000 : undefined);
    const scheduler = new Scheduler({ ...options, logger }, store, new SlotFirer(store, client, transport.clock, logger), pollMs);
    scheduler.subscription = transport.bus.subscribe(n.scheduleChanged, (_subject, data) => {
      scheduler.wakes.set(new TextDecoder().decode(data), 0);
      scheduler.kick();
    });
    scheduler.kick();
    return scheduler;
  }

  /** Stops firing; waits for a look in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.disarm();
    await this.running;
    await this.scanning;
  }

  /** Resolves when no look or listing is in progress (time-skipping tests). */
  async idle(): Promise<void> {
    while (this.running || this.scanning) await (this.running ?? this.scanning);
  }

  /** Runs a pass now, or right after the one in progress. */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.pass();
    } while (this.again && !this.stopped);
    if (!this.stopped) this.arm();
  }

  private async pass(): Promise<void> {
    const { clock } = this.options.transport;
    if (!this.scanning && this.listing() && clock.now() >= this.nextPoll) this.scanning = this.scan();
    const now = clock.now();
    const due = [...this.wakes].filter(([, at]) => at <= now).map(([id]) => id);
    // One schedule at a time: each look is a few KV operations, and due slots are rarely many at once.
    for (const id of due) {
      if (this.stopped) return;
      try {
        const wakeAt = await this.firer.process(id);
        if (wakeAt === undefined) this.wakes.delete(id);
        else this.wakes.set(id, wakeAt);
      } catch (err) {
        this.options.logger.warn({ err, schedule: id }, 'schedule look failed; retrying');
        this.wakes.set(id, clock.now() + RETRY_MS);
      }
    }
  }

  /**
   * Lists the bucket for schedules this process has not heard of, apart from
   * firing: a listing on NATS can be slow, and a due slot must not wait for it.
   */
  private async scan(): Promise<void> {
    const { clock } = this.options.transport;
    try {
      for (const id of await this.store.ids()) if (!this.wakes.has(id)) this.wakes.set(id, 0);
      this.scanPending = false;
      if (this.pollMs !== undefined) this.nextPoll = clock.now() + this.pollMs;
    } catch (err) {
      this.options.logger.warn({ err }, 'listing schedules failed; retrying');
      this.nextPoll = clock.now() + RETRY_MS;
    } finally {
      this.scanning = undefined;
    }
    this.kick();
  }

  /** Whether listings recur: polling on, or the first one has yet to succeed. */
  private listing(): boolean {
    return this.pollMs !== undefined || this.scanPending;
  }

  /** One alarm at the earliest wake or next listing (a listing in progress kicks a pass itself when done). */
  private arm(): void {
    let at = !this.scanning && this.listing() ? this.nextPoll : undefined;
    for (const wake of this.wakes.values()) if (at === undefined || wake < at) at = wake;
    if (at === this.alarmAt) return;
    this.disarm();
    if (at === undefined) return;
    const { clock } = this.options.transport;
    this.alarmAt = at;
    this.alarm = clock.setTimer(at, () => {
      this.alarm = undefined;
      this.alarmAt = undefined;
      this.kick();
    });
  }

  private disarm(): void {
    if (this.alarm !== undefined) this.options.transport.clock.clearTimer(this.alarm);
    this.alarm = undefined;
    this.alarmAt = undefined;
  }
}
