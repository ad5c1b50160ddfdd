/**
 * `Streams.tail` on JetStream: an ephemeral pull consumer without acks
 * (`ack_policy: none`), in memory, one replica, filtered by subject and
 * starting at a sequence or at new messages. Not nats.js' ordered consumer:
 * that one never deletes its consumer when stopped (the server drops it
 * after a 5 min inactivity), so a web page reloaded a hundred times would
 * leave a hundred consumers behind for minutes. Here `stop()` deletes it at
 * once; `inactive_threshold` is only the backstop for a process that died.
 */
import { AckPolicy, DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StoredStreamMessage, Tail, TailOptions } from '../ports.ts';
import { NotFoundError } from '../errors.ts';
import { validateSubject } from '../subject-pattern.ts';
import type { NatsContext } from './consumer.ts';
import { isStreamNotFound } from './errors.ts';

/** The server deletes a tail consumer nobody pulled from for this long (a process that died without stopping it). */
const INACTIVE_MS = 30_000;

export async function tailNats(
  ctx: NatsContext,
  stream: string,
  filter: string,
  options: TailOptions,
  handler: (message: StoredStreamMessage) => void,
): Promise<Tail> {
  validateSubject(filter, true);
  let name: string;
  try {
    const info = await ctx.jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      ...(options.fromSeq === undefined
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.fromSeq }),
      filter_subject: filter,
      inactive_threshold: nanos(INACTIVE_MS),
      mem_storage: true,
      num_replicas: 1,
    });
    name = info.name;
  } catch (err) {
    if (isStreamNotFound(err)) throw new NotFoundError('stream', stream);
    throw err;
  }
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const remove = () =>
    ctx.jsm.consumers.delete(stream, name).then(
      () => undefined,
      (err: unknown) => ctx.logger?.debug({ err, stream, consumer: name }, 'tail consumer already gone'),
    );
  try {
    const consumer = await ctx.js.consumers.get(stream, name);
    messages = await consumer.consume({
      callback: (m) => {
        if (stopped) return;
        try {
          handler({ seq: m.seq, subject: m.subject, data: m.data, time: Math.floor(m.info.timestampNanos / 1_000_000) });
        } catch (err) {
          ctx.logger?.error({ err, stream, subject: m.subject }, 'tail handler failed');
        }
      },
    });
  } catch (err) {
    await remove();
    throw err;
  }
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    messages?.stop();
    await remove();
  };
  void watch(messages, (reason) => {
    if (stopped) return;
    void stop();
    options.onEnd?.(reason);
  });
  return { stop };
}

/** Heartbeats missed in a row after which the consumer counts as gone (the server sends one every 15 s or so while idle). */
const MISSED_HEARTBEATS = 2;

/**
 * Ends the tail when its consumer can no longer deliver: deleted (with its
 * stream, or by the server after an inactivity while this process was cut
 * off), not found, or silent for several heartbeats.
 */
async function watch(messages: ConsumerMessages, end: (reason: string) => void): Promise<void> {
  try {
    for await (const s of messages.status()) {
      if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') return end(s.type);
      if (s.type === 'heartbeats_missed' && s.count >= MISSED_HEARTBEATS) return end(s.type);
    }
  } catch (err) {
    end(`tail ended: ${(err as Error).message}`);
  }
}
