import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  type ConsumerNotification,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { SquadflowError, type Logger } from '@squadflow/shared';
import type { Consumer, ConsumerOptions, DeliveredMessage } from '../ports.ts';
import { consumerSettings } from '../defaults.ts';
import { NotFoundError } from '../errors.ts';
import { validateName, validateSubject } from '../subject-pattern.ts';
import { NatsDelivered } from './delivered.ts';
import { ApiCodes, isApiError, isStreamNotFound } from './errors.ts';

/** Upper bound of one pull batch: enough to keep a fast handler busy, small enough not to hoard messages. */
const MAX_BATCH = 256;

export interface NatsContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  logger?: Logger;
}

/**
 * Starts a durable pull consumer and feeds `handler` concurrently: each
 * message starts as soon as it arrives, with at most `maxAckPending`
 * handlers running here (the server enforces the same limit across every
 * process sharing the durable). Resolves once the first pull request has
 * reached the server, so a message published afterwards is offered to this
 * consumer; with several consumers on one durable the server round-robins
 * between their pull requests.
 */
export async function consumeNats(
  ctx: NatsContext,
  stream: string,
  options: ConsumerOptions,
  handler: (msg: DeliveredMessage) => Promise<void>,
): Promise<Consumer> {
  const { logger } = ctx;
  const settings = consumerSettings(options);
  validateName('durable', options.durable);
  validateSubject(options.filterSubject, true);
  await upsertDurable(ctx.jsm, stream, {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: settings.maxAckPending,
    max_deliver: settings.maxDeliver || -1,
  });
  const consumer = await ctx.js.consumers.get(stream, options.durable);
  const messages = await consumer.consume({ max_messages: Math.min(settings.maxAckPending, MAX_BATCH) });
  const log = { stream, durable: options.durable };
  const firstPull = watchStatus(messages, (status) => {
    // Missed heartbeats and a vanished consumer/stream are worth seeing; the client recovers from the former.
    const level = /missed|deleted|not_found/.test(status.type) ? 'warn' : 'debug';
    logger?.[level]({ ...log, status }, 'consumer status');
  });

  let stopped = false;
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const wake = (): void => {
    const f = freed;
    freed = undefined;
    f?.();
  };
  const run = async (msg: NatsDelivered): Promise<void> => {
    try {
      await handler(msg);
    } catch (err) {
      logger?.warn({ ...log, err, subject: msg.subject }, 'stream handler failed; message will be redelivered');
      if (!msg.settled) msg.nak();
    } finally {
      inFlight--;
      wake();
    }
  };
  const loop = (async () => {
    for await (const m of messages) {
      if (inFlight >= settings.maxAckPending && !stopped) await new Promise<void>((resolve) => (freed = resolve));
      if (stopped) {
        // Pulled but never handed out: give it back now instead of letting it wait out ack_wait.
        new NatsDelivered(m, logger).nak();
        continue;
      }
      inFlight++;
      void run(new NatsDelivered(m, logger));
    }
  })().catch((err: unknown) => logger?.error({ ...log, err }, 'consumer ended with an error'));

  await Promise.race([firstPull, loop]);
  // The pull request is written; a round trip guarantees the server has registered it.
  await ctx.nc.flush();

  return {
    stop: async () => {
      if (stopped) return;
      stopped = true;
      wake();
      try {
        await messages.close();
      } catch (err) {
        // The connection is already closed: the pull subscription is gone with it.
        logger?.debug({ ...log, err }, 'closing consumer on a closed connection');
      }
      await loop;
    },
  };
}

/** Resolves at the first pull request; forwards every notification to `notify`. */
function watchStatus(messages: ConsumerMessages, notify: (status: ConsumerNotification) => void): Promise<void> {
  const status = messages.status();
  return new Promise<void>((resolve) => {
    void (async () => {
      for await (const s of status) {
        if (s.type === 'next') resolve();
        else notify(s);
      }
      resolve();
    })();
  });
}

/**
 * Creates the durable, or updates it when it exists with other settings.
 * NATS 2.9 updates a durable on a plain create; 2.10+ answers "consumer
 * already exists" (10148) to a create with a different config.
 */
async function upsertDurable(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
  } catch (err) {
    if (isStreamNotFound(err)) throw new NotFoundError('stream', stream, { cause: err });
    if (isApiError(err, ApiCodes.WorkQueueNotUnique, ApiCodes.WorkQueueMultipleUnfiltered)) {
      // Same error as the memory adapter: a work queue hands each subject to one durable only.
      throw new SquadflowError('INVALID_ARGUMENT', `filtered consumer not unique on workqueue stream ${stream}`, [], { cause: err });
    }
    if (!isApiError(err, ApiCodes.ConsumerExists)) throw err;
    const { ack_wait, max_ack_pending, filter_subject, max_deliver } = config;
    await jsm.consumers.update(stream, config.durable_name, { ack_wait, max_ack_pending, filter_subject, max_deliver });
  }
}
