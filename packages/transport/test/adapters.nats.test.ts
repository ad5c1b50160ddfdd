import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { connectNatsTransport, parseServers } from '../src/adapters.ts';
import { portsContract } from '../src/testing/contract/ports.contract.ts';
import { Collector } from '../src/testing/async.ts';
import { cleanupPrefix, natsUrl, uniquePrefix, withNatsTransport, type NatsTestTransport } from '../src/testing/nats.ts';

portsContract('nats', async () => withNatsTransport('c'));

describe('nats transport specifics', () => {
  const opened: NatsTestTransport[] = [];
  const open = async (): Promise<NatsTestTransport> => {
    const t = await withNatsTransport('n');
    opened.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.cleanup()));
  });

  async function streamInfo(name: string) {
    const { servers, user, pass } = parseServers(natsUrl());
    const nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
    try {
      return await (await jetstreamManager(nc)).streams.info(name);
    } finally {
      await nc.close();
    }
  }

  it('a work-queue stream holds no messages once they are acked', async () => {
    const { transport, prefix } = await open();
    const name = `${prefix.toUpperCase()}_WQ`;
    await transport.streams.ensure({ name, subjects: [`${prefix}.wq.>`], retention: 'workqueue' });
    for (let i = 0; i < 5; i++) await transport.streams.publish(`${prefix}.wq.a`, new Uint8Array([i]));
    expect((await streamInfo(name)).state.messages).toBe(5);
    const acked = new Collector<number>();
    const consumer = await transport.streams.consume(name, { durable: 'd', filterSubject: `${prefix}.wq.>` }, async (m) => {
      m.ack();
      acked.push(m.data[0]!);
    });
    await acked.count(5);
    await consumer.stop();
    await transport.close(); // drains: every ack is on the server
    expect((await streamInfo(name)).state.messages).toBe(0);
  });

  it('two processes ensuring the same stream at once both succeed', async () => {
    const a = await open();
    const b = await connectNatsTransport({ servers: natsUrl() });
    try {
      const config = { name: `${a.prefix.toUpperCase()}_RACE`, subjects: [`${a.prefix}.race.>`], retention: 'limits' as const };
      await Promise.all([a.transport.streams.ensure(config), b.streams.ensure(config), a.transport.streams.ensure(config)]);
      expect((await streamInfo(config.name)).config.subjects).toEqual([`${a.prefix}.race.>`]);
    } finally {
      await b.close();
    }
  });

  it('a KV bucket is a JetStream stream named KV_<bucket> and removeKv deletes it', async () => {
    const { transport, prefix } = await open();
    const kv = await transport.kv(`${prefix}_bucket`, { ttlMs: 60_000 });
    await kv.put('k', new Uint8Array([1]));
    const info = await streamInfo(`KV_${prefix}_bucket`);
    expect(info.config.max_msgs_per_subject).toBe(1);
    expect(info.config.max_age).toBe(60_000 * 1_000_000);
    await transport.removeKv(`${prefix}_bucket`);
    await expect(streamInfo(`KV_${prefix}_bucket`)).rejects.toThrow(/stream not found/);
  });

  it('cleanupPrefix deletes every stream and bucket of a prefix and nothing else', async () => {
    const { transport, prefix } = await open();
    const bystander = uniquePrefix('n');
    await transport.streams.ensure({ name: `${prefix.toUpperCase()}_X`, subjects: [`${prefix}.x`], retention: 'limits' });
    await transport.streams.ensure({ name: `${bystander.toUpperCase()}_X`, subjects: [`${bystander}.x`], retention: 'limits' });
    await transport.kv(`${prefix}_kv`);
    const deleted = await cleanupPrefix(prefix);
    expect(deleted.sort()).toEqual([`${prefix.toUpperCase()}_X`, `KV_${prefix}_kv`].sort());
    expect((await streamInfo(`${bystander.toUpperCase()}_X`)).config.name).toBe(`${bystander.toUpperCase()}_X`);
    await cleanupPrefix(bystander);
  });
});

describe('parseServers', () => {
  it('lifts user and password out of server URLs, which the client would ignore', () => {
    expect(parseServers('nats://u%40x:p%3Aw@h:4222, nats://h2:4223')).toEqual({
      servers: ['nats://h:4222', 'nats://h2:4223'],
      user: 'u@x',
      pass: 'p:w',
    });
    expect(parseServers(['127.0.0.1:4222'])).toEqual({ servers: ['127.0.0.1:4222'] });
  });
});
