import {
  alertCodec,
  durationMs,
  lifecycleCodec,
  names,
  NOTIFY_LEDGER_TTL_MS,
  type Logger,
  type Names,
  type NotifyConfig,
} from '@squadflow/shared';
import { ensureStreams, type Consumer, type DeliveredMessage, type Transport } from '@squadflow/transport';
import { stableId } from '../catalog/common/ids.ts';
import { composeAlert, composeLifecycle, type Addressed } from './compose.ts';
import { DeliveryLedger } from './ledger.ts';
import { PermanentDeliveryError, type ChannelName, type NotifierChannel } from './port.ts';
import { addressesOf } from './recipients.ts';

export interface NotifierOptions {
  transport: Transport;
  prefix: string;
  logger: Logger;
  /** `notify` of the alerts file (SQUADFLOW_ALERTS). */
  config: NotifyConfig;
  /** The adapters (see `channelsFromEnv`). */
  channels: NotifierChannel[];
}

export interface RunningNotifier {
  readonly ledger: DeliveryLedger;
  stop(): Promise<void>;
}

/** Redelivery waits this long for a delivery still in progress before NATS hands the event to another replica. */
const ACK_WAIT_MS = 60_000;

/**
 * The notifier service (docs/alerts.md): another service integrating by
 * subscribing to lifecycle events. It follows four feeds of the lifecycle
 * stream with durable consumers (replicas share them): human tasks that
 * start (`step.waiting`), escalated tasks (`step.escalated`), escalated
 * executions (`execution.escalated`) and alerts (`p.alert.>`). For each
 * event it works out who is told what (compose.ts), and delivers on each of
 * the recipient's channels once: the ledger records every try, so a
 * redelivered event skips what was sent; a failed try naks the event with
 * exponential back-off and only the unsent deliveries are tried again, up to
 * `attempts`, after which the delivery is logged and counted as failed.
 */
export async function startNotifier(options: NotifierOptions): Promise<RunningNotifier> {
  const n = names(options.prefix);
  await ensureStreams(options.transport, n);
  const ledger = new DeliveryLedger(await options.transport.kv(n.buckets.notifications, { ttlMs: NOTIFY_LEDGER_TTL_MS }));
  const notifier = new Notifier(options, ledger);
  const consumers = await Promise.all(feeds(n).map((feed) => notifier.follow(n, feed)));
  let stopped: Promise<void> | undefined;
  return {
    ledger,
    stop: () =>
      (stopped ??= (async () => {
        await Promise.all(consumers.map((c) => c.stop()));
        for (const channel of options.channels) await channel.close?.();
      })()),
  };
}

interface Feed {
  name: string;
  filter: string;
  compose: (data: Uint8Array, config: NotifyConfig) => { id: string; at: number; addressed: Addressed | undefined };
}

function feeds(n: Names): Feed[] {
  const lifecycle = (name: string, type: string): Feed => ({
    name,
    filter: n.lifecycleFilter({ type }),
    compose: (data, config) => {
      const event = lifecycleCodec.decode(data);
      return { id: event.id, at: event.at, addressed: composeLifecycle(event, config) };
    },
  });
  return [
    lifecycle('waiting', 'step.waiting'),
    lifecycle('step_escalated', 'step.escalated'),
    lifecycle('execution_escalated', 'execution.escalated'),
    {
      name: 'alerts',
      filter: n.alertsAll,
      compose: (data, config) => {
        const event = alertCodec.decode(data);
        return { id: event.id, at: event.at, addressed: composeAlert(event, config) };
      },
    },
  ];
}

class Notifier {
  private readonly channels: Map<ChannelName, NotifierChannel>;

  constructor(
    private readonly options: NotifierOptions,
    private readonly ledger: DeliveryLedger,
  ) {
    this.channels = new Map(options.channels.map((c) => [c.name, c]));
  }

  follow(n: Names, feed: Feed): Promise<Consumer> {
    return this.options.transport.streams.consume(
      n.streams.lifecycle,
      { durable: n.consumers.notifier(feed.name), filterSubject: feed.filter, ackWaitMs: ACK_WAIT_MS, maxAckPending: 64 },
      (msg) => this.handle(feed, msg),
    );
  }

  private async handle(feed: Feed, msg: DeliveredMessage): Promise<void> {
    const { logger, config, transport } = this.options;
    let composed: ReturnType<Feed['compose']>;
    try {
      composed = feed.compose(msg.data, config);
    } catch (err) {
      logger.error({ err, subject: msg.subject }, 'notifier: an event that does not decode is dropped');
      msg.term();
      return;
    }
    const age = transport.clock.now() - composed.at;
    if (!composed.addressed || age > durationMs(config.maxEventAge)) {
      msg.ack();
      return;
    }
    const retryIn = await this.deliverAll(composed.id, composed.addressed, msg);
    if (retryIn === undefined) msg.ack();
    else msg.nak(retryIn);
  }

  /** Every delivery of one event not yet settled in the ledger; the back-off before the next try, if any needs one. */
  private async deliverAll(eventId: string, { notification, to }: Addressed, msg: DeliveredMessage): Promise<number | undefined> {
    const { logger, config, transport } = this.options;
    let retryIn: number | undefined;
    for (const recipient of new Set(to)) {
      const addresses = addressesOf(config, recipient);
      if (!addresses.length) logger.warn({ recipient, event: eventId }, 'notifier: recipient has no address (add it to notify.recipients)');
      for (const { channel: name, address } of addresses) {
        const channel = this.channels.get(name);
        if (!channel) {
          logger.warn({ recipient, channel: name, event: eventId }, 'notifier: channel not configured; delivery skipped');
          continue;
        }
        const key = DeliveryLedger.key(eventId, recipient, name);
        const seen = await this.ledger.get(key);
        if (seen && seen.status !== 'pending') continue;
        const attempts = (seen?.attempts ?? 0) + 1;
        msg.working();
        try {
          await channel.deliver({ id: stableId('ntf', eventId, recipient, name), recipient, address, notification });
          await this.ledger.put(key, { status: 'sent', attempts, at: transport.clock.now() });
          await this.ledger.count(name, 'sent');
        } catch (err) {
          const error = (err as Error).message;
          const final = err instanceof PermanentDeliveryError || attempts >= config.attempts;
          await this.ledger.put(key, { status: final ? 'failed' : 'pending', attempts, at: transport.clock.now(), error });
          await this.ledger.count(name, final ? 'failed' : 'retried');
          if (final) {
            logger.error({ err, recipient, channel: name, event: eventId, attempts }, 'notifier: delivery given up');
          } else {
            const delay = Math.min(durationMs(config.maxRetryDelay), durationMs(config.retryDelay) * 2 ** (attempts - 1));
            logger.warn(
              { err, recipient, channel: name, event: eventId, attempts, retryInMs: delay },
              'notifier: delivery failed; will retry',
            );
            retryIn = Math.min(retryIn ?? delay, delay);
          }
        }
      }
    }
    return retryIn;
  }
}
