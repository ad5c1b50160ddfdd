import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { SquadflowError, type Logger } from '@squadflow/shared';
import type { Consumer, ConsumerOptions, DeliveredMessage } from '../ports.ts';
import { consumerSettings } from '../defaults.ts';
import { NotFoundError } from '../errors.ts';
import { validateName, validateSubject } from '../subject-pattern.ts';
import { NatsDelivered } from './delivered.ts';
import { DrainingPull } from './draining-pull.ts';
import { ApiCodes, isApiError, isStreamNotFound } from './errors.ts';

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
 * between their pull requests. `stop()` drains (see `DrainingPull`): the
 * handler may still be called until it resolves, and from then on this
 * consumer holds no message except those its handlers are working on.
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
  const log = { stream, durable: options.durable };
  const pull: DrainingPull = new DrainingPull({
    nc: ctx.nc,
    consumer,
    limit: settings.maxAckPending,
    logger,
    log,
    deliver: (m) => void run(new NatsDelivered(m, logger)),
  });
  const run = async (msg: NatsDelivered): Promise<void> => {
    try {
      await handler(msg);
    } catch (err) {
      logger?.warn({ ...log, err, subject: msg.subject }, 'stream handler failed; message will be redelivered');
      if (!msg.settled) msg.nak();
    } finally {
      pull.done();
    }
  };
  await pull.start();

  let stopping: Promise<void> | undefined;
  return {
    // Drains: no new pull, the outstanding ones end on the server, what they still bring is handled.
    stop: () => (stopping ??= pull.stop()),
  };
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
