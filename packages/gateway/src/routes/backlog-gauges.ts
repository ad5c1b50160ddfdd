/**
 * Back-pressure on `/metrics`: the backlog of every durable consumer of the
 * work streams (inbound: the orchestrators; commands: one per squad), read
 * from JetStream's consumer info at scrape time. A consumer at
 * `max_ack_pending` gets nothing more until it acknowledges, so the ratio
 * `ack_pending / max_ack_pending` is what to alert on (the reliability
 * matrix's B5: at 90 %). The gateway also logs a warning when a consumer
 * reaches 90 %, once until it falls below again.
 */
import type { Logger, Names } from '@squadflow/shared';
import type { ConsumerBacklog, Transport } from '@squadflow/transport';
import { Gauge, type Registry } from 'prom-client';

/** `ack_pending / max_ack_pending` at which a consumer counts as saturated. */
export const ACK_PENDING_ALERT_RATIO = 0.9;

export class BacklogGauges {
  private readonly ackPending: Gauge<'stream' | 'consumer'>;
  private readonly maxAckPending: Gauge<'stream' | 'consumer'>;
  private readonly pending: Gauge<'stream' | 'consumer'>;
  private readonly ratio: Gauge<'stream' | 'consumer'>;
  /** Consumers over the alert ratio at the last scrape (warned once per crossing). */
  private readonly saturated = new Set<string>();

  constructor(
    registry: Registry,
    private readonly logger: Logger,
  ) {
    const gauge = (name: string, help: string): Gauge<'stream' | 'consumer'> =>
      new Gauge({ name, help, labelNames: ['stream', 'consumer'], registers: [registry] });
    this.ackPending = gauge('squadflow_consumer_ack_pending', 'Messages delivered to a durable consumer and not yet acknowledged');
    this.maxAckPending = gauge('squadflow_consumer_max_ack_pending', "The consumer's max_ack_pending");
    this.pending = gauge('squadflow_consumer_pending', 'Messages stored for a consumer and not yet delivered (its backlog)');
    this.ratio = gauge(
      'squadflow_consumer_ack_pending_ratio',
      `ack_pending / max_ack_pending; alert at ${ACK_PENDING_ALERT_RATIO} (the consumer is about to stop receiving)`,
    );
  }

  /** Reads the backlog of the work streams' consumers (nothing when the transport cannot tell). */
  async update(transport: Transport, names: Names): Promise<void> {
    const read = transport.streams.backlog?.bind(transport.streams);
    if (!read) return;
    const all = (await Promise.all([read(names.streams.inbound), read(names.streams.commands)])).flat();
    for (const g of [this.ackPending, this.maxAckPending, this.pending, this.ratio]) g.reset();
    for (const b of all) this.set(b);
  }

  private set(b: ConsumerBacklog): void {
    const labels = { stream: b.stream, consumer: b.durable };
    const ratio = b.maxAckPending > 0 ? b.ackPending / b.maxAckPending : 0;
    this.ackPending.set(labels, b.ackPending);
    this.maxAckPending.set(labels, b.maxAckPending);
    this.pending.set(labels, b.pending);
    this.ratio.set(labels, ratio);
    const id = `${b.stream}/${b.durable}`;
    if (ratio >= ACK_PENDING_ALERT_RATIO && !this.saturated.has(id)) {
      this.saturated.add(id);
      this.logger.warn(
        { stream: b.stream, consumer: b.durable, ackPending: b.ackPending, maxAckPending: b.maxAckPending, pending: b.pending },
        'consumer near max_ack_pending: its work backs up (back-pressure)',
      );
    } else if (ratio < ACK_PENDING_ALERT_RATIO) this.saturated.delete(id);
  }
}
