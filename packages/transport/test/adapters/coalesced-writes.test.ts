import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServers } from '../../src/adapters.ts';
import { coalesceWrites } from '../../src/nats/coalesced-writes.ts';
import { natsUrl, uniquePrefix } from '../../src/testing/nats.ts';

/** Counts the socket writes of a connection (nats.js's protocol handler → transport.send). */
function countWrites(nc: NatsConnection): () => number {
  const transport = (nc as unknown as { protocol: { transport: { send(d: Uint8Array): void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (d) => {
    writes++;
    send(d);
  };
  return () => writes;
}

async function open(): Promise<NatsConnection> {
  const { servers, user, pass } = parseServers(natsUrl());
  return connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
}

/** 20 publishes, each from its own promise chain step: how a loop handling many messages produces them. */
async function publishAcrossMicrotasks(nc: NatsConnection, subject: string): Promise<void> {
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      for (let hop = 0; hop < i; hop++) await Promise.resolve();
      nc.publish(subject, new TextEncoder().encode(String(i)));
    }),
  );
}

describe('coalesced socket writes', () => {
  const open_: NatsConnection[] = [];
  afterEach(async () => {
    for (const nc of open_.splice(0)) await nc.close();
  });

  it('sends what one event-loop turn publishes in one write, and every message arrives in order', async () => {
    const [plain, coalesced, reader] = [await open(), await open(), await open()];
    open_.push(plain, coalesced, reader);
    expect(coalesceWrites(coalesced)).toBe(true);
    const subject = `${uniquePrefix('cw')}.x`;
    const received: string[] = [];
    reader.subscribe(subject, { callback: (_err, msg) => void received.push(msg.string()) });
    await reader.flush();

    const plainWrites = countWrites(plain);
    await publishAcrossMicrotasks(plain, subject);
    await plain.flush();
    const coalescedWrites = countWrites(coalesced);
    await publishAcrossMicrotasks(coalesced, subject);
    await coalesced.flush();
    await reader.flush();

    // Without coalescing nats.js writes once per microtask checkpoint (20 here, plus the PING).
    expect(plainWrites()).toBeGreaterThanOrEqual(20);
    // With it: the 20 publishes in one write, the flush's PING in a second.
    expect(coalescedWrites()).toBeLessThanOrEqual(2);
    const expected = Array.from({ length: 20 }, (_, i) => String(i));
    expect(received).toEqual([...expected, ...expected]);
  });

  it('leaves a connection whose internals it does not recognise untouched', () => {
    expect(coalesceWrites({} as NatsConnection)).toBe(false);
  });
});
