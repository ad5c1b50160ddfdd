import { DeliverPolicy } from '@nats-io/jetstream';
import type { Consumer, StoredStreamMessage } from '../ports.ts';
import { NotFoundError } from '../errors.ts';
import type { NatsContext } from './consumer.ts';
import { isStreamNotFound } from './errors.ts';

/**
 * `Streams.follow` on JetStream: an ordered consumer (ephemeral, no acks,
 * recreated by the client from the last sequence it saw when the connection
 * or the consumer is lost) that delivers the messages stored from now on.
 * A handler that throws is logged and the stream goes on: an observer must
 * not stop at one bad message.
 */
export async function followNats(
  ctx: NatsContext,
  stream: string,
  filter: string,
  handler: (message: StoredStreamMessage) => void,
): Promise<Consumer> {
  let consumer;
  try {
    consumer = await ctx.js.consumers.get(stream, { filter_subjects: filter, deliver_policy: DeliverPolicy.New });
  } catch (err) {
    if (isStreamNotFound(err)) throw new NotFoundError('stream', stream, { cause: err });
    throw err;
  }
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const m of messages) {
      try {
        handler({ seq: m.seq, subject: m.subject, data: m.data, time: m.time.getTime() });
      } catch (err) {
        ctx.logger?.warn({ err, stream, subject: m.subject }, 'stream follower: the handler threw; going on');
      }
    }
  })();
  return {
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}
