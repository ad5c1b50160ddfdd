import { PARTITIONS, type Names } from '@squadflow/shared';
import type { Consumer, ConsumerOptions, DeliveredMessage, Transport } from '@squadflow/transport';

interface Served {
  consumer?: Consumer;
  /** Messages of this partition handed over and not yet settled. */
  handling: Set<Promise<void>>;
}

/**
 * The durable consumers of the partitions this replica holds, one each
 * (`<P>_orch_p<k>`, filter `p.in.*.<k>.>`): bound when a lease is won,
 * drained when it is given up. A partition's consumer outlives its holder
 * on the server, so the next holder binds to the same durable and gets
 * what the last one left unacknowledged (after AckWait if it died).
 */
export class PartitionConsumers {
  private readonly served = new Map<number, Served>();

  constructor(
    private readonly transport: Transport,
    private readonly names: Names,
    /** Settings shared by every partition's consumer (`maxAckPending` is per partition). */
    private readonly settings: Omit<ConsumerOptions, 'durable' | 'filterSubject'>,
    private readonly handle: (msg: DeliveredMessage) => Promise<void>,
  ) {}

  /** Starts consuming the partitions. */
  async start(partitions: readonly number[]): Promise<void> {
    await Promise.all(
      partitions.map(async (p) => {
        const served: Served = { handling: new Set() };
        this.served.set(p, served);
        served.consumer = await this.transport.streams.consume(
          this.names.streams.inbound,
          { ...this.settings, durable: this.names.consumers.partition(p), filterSubject: this.names.inboundPartition(p) },
          (msg) => {
            const handled = this.handle(msg);
            served.handling.add(handled);
            return handled.finally(() => served.handling.delete(handled));
          },
        );
      }),
    );
  }

  /** Stops consuming the partitions; resolves when every message they handed over is settled. */
  async stop(partitions: readonly number[]): Promise<void> {
    await Promise.all(
      partitions.map(async (p) => {
        const served = this.served.get(p);
        if (!served) return;
        await served.consumer?.stop();
        while (served.handling.size > 0) await Promise.all([...served.handling]);
        this.served.delete(p);
      }),
    );
  }

  /** Every partition's `maxAckPending` for a replica-wide `concurrency`: a share, with room for uneven load. */
  static maxAckPending(concurrency: number): number {
    return Math.max(8, Math.ceil((concurrency * 2) / PARTITIONS));
  }
}
