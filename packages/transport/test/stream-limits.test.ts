/**
 * The work streams' size limits: read from the environment (a bad value is
 * refused naming its variable), applied by `ensureStreams` with discard-new,
 * left alone by a process started without them, and never lowered below
 * what a stream holds (NATS would drop the oldest messages, nats-server#2589).
 */
import { names } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStreams, StreamFullError, streamLimitsFromEnv } from '../src/index.ts';
import { withNatsTransport, type NatsTestTransport } from '../src/testing/index.ts';

describe('stream limits from the environment', () => {
  it('reads the message limits of the inbound and commands streams', () => {
    expect(streamLimitsFromEnv({ SQUADFLOW_INBOUND_MAX_MSGS: '5000', SQUADFLOW_COMMANDS_MAX_MSGS: '20000' })).toEqual({
      inbound: { maxMsgs: 5000 },
      commands: { maxMsgs: 20000 },
    });
    expect(streamLimitsFromEnv({})).toEqual({ inbound: {}, commands: {} });
  });

  it('refuses a value that is not a positive integer, naming the variable', () => {
    expect(() => streamLimitsFromEnv({ SQUADFLOW_INBOUND_MAX_MSGS: '0' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', issues: [expect.objectContaining({ path: 'SQUADFLOW_INBOUND_MAX_MSGS' })] }),
    );
    expect(() => streamLimitsFromEnv({ SQUADFLOW_COMMANDS_MAX_MSGS: 'lots' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'SQUADFLOW_COMMANDS_MAX_MSGS' })] }),
    );
  });
});

describe('stream limits on NATS', () => {
  let t: NatsTestTransport | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('applies a limit to an existing stream, keeps it when a process without one ensures, and never lowers it below the backlog', async () => {
    t = await withNatsTransport('lim');
    const n = names(t.prefix);
    const { streams } = t.transport;
    await ensureStreams(t.transport, n, {}); // created without limits (e.g. by a client without the setting)
    await ensureStreams(t.transport, n, { inbound: { maxMsgs: 3 } });
    await ensureStreams(t.transport, n, {}); // a process without the setting does not undo it
    for (const i of [1, 2, 3]) await streams.publish(n.trigger('w'), new TextEncoder().encode(`t${i}`), { msgId: `t${i}` });
    await expect(streams.publish(n.trigger('w'), new TextEncoder().encode('t4'), { msgId: 't4' })).rejects.toBeInstanceOf(StreamFullError);

    // Lowering to 2 while 3 wait would make NATS drop the oldest: the old limit stays, nothing is lost.
    await ensureStreams(t.transport, n, { inbound: { maxMsgs: 2 } });
    const held: string[] = [];
    const consumer = await streams.consume(n.streams.inbound, { durable: 'check', filterSubject: n.inboundAll }, async (m) => {
      held.push(new TextDecoder().decode(m.data));
    });
    await expect.poll(() => held.length, { timeout: 5_000 }).toBe(3);
    expect(held).toEqual(['t1', 't2', 't3']);
    await consumer.stop();
  });
});
