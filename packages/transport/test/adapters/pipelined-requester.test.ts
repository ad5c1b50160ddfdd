import { jetstream, jetstreamManager, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, parseServers } from '../../src/adapters.ts';
import { isNoResponders, isWrongLastSequence } from '../../src/nats/errors.ts';
import {
  PipelinedRequester,
  RequesterClosedError,
  RequestNoRespondersError,
  RequestStatusError,
  RequestTimeoutError,
} from '../../src/nats/pipelined-requester.ts';
import { publishAcked } from '../../src/nats/pub-ack.ts';
import { KvConflictError } from '../../src/ports.ts';
import { within } from '../../src/testing/async.ts';
import { cleanupPrefix, natsUrl, uniquePrefix, withNatsTransport, type NatsTestTransport } from '../../src/testing/nats.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function openConnection(): Promise<NatsConnection> {
  const { servers, user, pass } = parseServers(natsUrl());
  return connect({ servers, ...(user !== undefined ? { user, pass } : {}), noAsyncTraces: true });
}

describe('PipelinedRequester', () => {
  const connections: NatsConnection[] = [];
  const requesters: PipelinedRequester[] = [];
  const prefixes: string[] = [];

  async function setup(options?: { timeoutMs?: number }) {
    const nc = await openConnection();
    connections.push(nc);
    const requester = new PipelinedRequester(nc, options);
    requesters.push(requester);
    const prefix = uniquePrefix('pr');
    prefixes.push(prefix);
    return { nc, requester, prefix };
  }

  /** Answers every request on `subject` with `reply(data)`. */
  function echo(nc: NatsConnection, subject: string, reply: (data: Uint8Array) => Uint8Array = (d) => d): void {
    nc.subscribe(subject, { callback: (_err, msg) => void msg.respond(reply(msg.data)) });
  }

  afterEach(async () => {
    for (const r of requesters.splice(0)) r.close();
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(prefixes.splice(0).map((p) => cleanupPrefix(p)));
  });

  it('matches many concurrent replies to their requests over one subscription', async () => {
    const { nc, requester, prefix } = await setup();
    echo(nc, `${prefix}.echo`, (d) => enc(`re:${dec(d)}`));
    await nc.flush();
    const replies = await Promise.all(Array.from({ length: 500 }, (_, i) => requester.request(`${prefix}.echo`, enc(String(i)))));
    expect(replies.map(dec)).toEqual(Array.from({ length: 500 }, (_, i) => `re:${i}`));
    expect(requester.inFlight).toBe(0);
  });

  it('passes headers through with the request', async () => {
    const { nc, requester, prefix } = await setup();
    nc.subscribe(`${prefix}.hdr`, { callback: (_err, msg) => void msg.respond(enc(msg.headers?.get('X-Test') ?? 'none')) });
    await nc.flush();
    const h = headers();
    h.set('X-Test', 'yes');
    expect(dec(await requester.request(`${prefix}.hdr`, enc(''), h))).toBe('yes');
    expect(dec(await requester.request(`${prefix}.hdr`, enc('')))).toBe('none');
  });

  it('rejects with RequestNoRespondersError (503) when nothing subscribes to the subject', async () => {
    const { requester, prefix } = await setup();
    const err = await requester.request(`${prefix}.nobody`, enc('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestNoRespondersError);
    expect(err).toBeInstanceOf(RequestStatusError);
    expect(err).toMatchObject({ code: 'NO_RESPONDERS', status: 503, subject: `${prefix}.nobody` });
    expect(isNoResponders(err)).toBe(true);
    expect(requester.inFlight).toBe(0);
  });

  it('rejects with RequestStatusError when the reply is another status message', async () => {
    const { nc, requester, prefix } = await setup();
    nc.subscribe(`${prefix}.status`, {
      callback: (_err, msg) => void msg.respond(new Uint8Array(0), { headers: headers(408, 'Request Timeout') }),
    });
    await nc.flush();
    const err = await requester.request(`${prefix}.status`, enc('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestStatusError);
    expect(err).not.toBeInstanceOf(RequestNoRespondersError);
    expect(err).toMatchObject({ code: 'REQUEST_STATUS', status: 408, description: 'Request Timeout' });
  });

  it('times out requests nobody answers with RequestTimeoutError, and ignores a late reply', async () => {
    const { nc, requester, prefix } = await setup({ timeoutMs: 200 });
    const held: Array<() => void> = [];
    // Receives the request but answers only when told to.
    nc.subscribe(`${prefix}.slow`, {
      callback: (_err, msg) => {
        held.push(() => msg.respond(enc('late')));
      },
    });
    await nc.flush();
    const started = performance.now();
    const results = await Promise.allSettled([
      requester.request(`${prefix}.slow`, enc('1')),
      requester.request(`${prefix}.slow`, enc('2')),
    ]);
    const elapsed = performance.now() - started;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as RequestTimeoutError;
      expect(reason).toBeInstanceOf(RequestTimeoutError);
      expect(reason).toMatchObject({ code: 'REQUEST_TIMEOUT', timeoutMs: 200, subject: `${prefix}.slow` });
    }
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    expect(requester.inFlight).toBe(0);
    // A reply after the timeout finds no pending request and is dropped.
    for (const respond of held) respond();
    await nc.flush();
    echo(nc, `${prefix}.fast`);
    await nc.flush();
    expect(dec(await requester.request(`${prefix}.fast`, enc('ok')))).toBe('ok');
  });

  it('close rejects requests in flight and refuses new ones', async () => {
    const { nc, requester, prefix } = await setup();
    nc.subscribe(`${prefix}.never`, { callback: () => {} });
    await nc.flush();
    const inFlight = requester.request(`${prefix}.never`, enc('x'));
    requester.close();
    await expect(inFlight).rejects.toBeInstanceOf(RequesterClosedError);
    await expect(requester.request(`${prefix}.never`, enc('x'))).rejects.toMatchObject({ code: 'REQUESTER_CLOSED' });
    requester.close(); // idempotent
    expect(nc.isClosed()).toBe(false);
  });

  it('rejects requests in flight when the connection closes under it', async () => {
    const { nc, requester, prefix } = await setup();
    nc.subscribe(`${prefix}.never`, { callback: () => {} });
    await nc.flush();
    const inFlight = requester.request(`${prefix}.never`, enc('x'));
    await nc.close();
    await expect(within(inFlight, 2_000, 'rejection')).rejects.toBeInstanceOf(RequesterClosedError);
    await expect(requester.request(`${prefix}.never`, enc('x'))).rejects.toBeInstanceOf(Error);
  });

  it('drain waits for replies already asked for, refuses new requests, then closes', async () => {
    const { nc, requester, prefix } = await setup();
    const held: Array<() => void> = [];
    nc.subscribe(`${prefix}.held`, {
      callback: (_err, msg) => {
        held.push(() => msg.respond(enc('done')));
      },
    });
    await nc.flush();
    const first = requester.request(`${prefix}.held`, enc('x'));
    const second = requester.request(`${prefix}.held`, enc('y'));
    await nc.flush();
    let drained = false;
    const draining = requester.drain().then(() => (drained = true));
    await expect(requester.request(`${prefix}.held`, enc('z'))).rejects.toBeInstanceOf(RequesterClosedError);
    await nc.flush();
    expect(drained).toBe(false);
    expect(held).toHaveLength(2);
    for (const respond of held) respond();
    expect((await Promise.all([first, second])).map(dec)).toEqual(['done', 'done']);
    await within(draining, 2_000, 'drain');
    expect(drained).toBe(true);
  });

  it('an invalid subject rejects at once without leaving a pending request', async () => {
    const { requester } = await setup();
    await expect(requester.request('bad subject', enc('x'))).rejects.toBeInstanceOf(Error);
    expect(requester.inFlight).toBe(0);
  });

  it('rejects a timeout that is not positive', async () => {
    const nc = await openConnection();
    connections.push(nc);
    expect(() => new PipelinedRequester(nc, { timeoutMs: 0 })).toThrow(RangeError);
  });

  describe('JetStream publishes (publishAcked)', () => {
    it('returns the PubAck, marks duplicates by Nats-Msg-Id, and reports PubAck errors as JetStreamApiError', async () => {
      const { nc, requester, prefix } = await setup();
      const jsm = await jetstreamManager(nc);
      const name = `${prefix.toUpperCase()}_PUB`;
      await jsm.streams.add({ name, subjects: [`${prefix}.pub.>`], retention: RetentionPolicy.Limits, storage: StorageType.File });
      const a = await publishAcked(requester, `${prefix}.pub.a`, enc('1'));
      expect(a).toEqual({ stream: name, seq: 1, duplicate: false });
      const id = headers();
      id.set('Nats-Msg-Id', 'm1');
      expect(await publishAcked(requester, `${prefix}.pub.a`, enc('2'), id)).toMatchObject({ seq: 2, duplicate: false });
      expect(await publishAcked(requester, `${prefix}.pub.a`, enc('2'), id)).toMatchObject({ seq: 2, duplicate: true });
      const expect1 = headers();
      expect1.set('Nats-Expected-Last-Subject-Sequence', '1');
      const err = await publishAcked(requester, `${prefix}.pub.a`, enc('3'), expect1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JetStreamApiError);
      expect(isWrongLastSequence(err)).toBe(true);
      const none = await publishAcked(requester, `${prefix}.nostream`, enc('x')).catch((e: unknown) => e);
      expect(none).toBeInstanceOf(RequestNoRespondersError);
    });

    it('writes issued in one tick are all sent before the first await', async () => {
      const { nc, requester, prefix } = await setup();
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: `${prefix.toUpperCase()}_TICK`, subjects: [`${prefix}.tick.>`], storage: StorageType.File });
      const before = nc.stats().outMsgs;
      const acks = Array.from({ length: 50 }, (_, i) => publishAcked(requester, `${prefix}.tick.${i}`, enc(String(i))));
      // All 50 are in the client's outbound buffer now: nats.js sends them in one write at its next flush.
      expect(nc.stats().outMsgs - before).toBe(50);
      const seqs = (await Promise.all(acks)).map((a) => a.seq);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });
});

describe('NatsKv writes through the requester', () => {
  const opened: NatsTestTransport[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.cleanup()));
  });

  it('writes what @nats-io/kv reads back: values, revisions, delete markers, create after delete', async () => {
    const t = await withNatsTransport('kvw');
    opened.push(t);
    const bucket = `${t.prefix}_b`;
    const kv = await t.transport.kv(bucket);
    const nc = await openConnection();
    try {
      const reader = await new Kvm(jetstream(nc)).open(bucket);
      const r1 = await kv.put('a.b', enc('one'));
      const e1 = await reader.get('a.b');
      expect(e1).toMatchObject({ revision: r1, operation: 'PUT', key: 'a.b' });
      expect(dec(e1!.value)).toBe('one');
      await kv.delete('a.b');
      const marker = await reader.get('a.b');
      expect(marker?.operation).toBe('DEL');
      expect(await kv.get('a.b')).toBeNull();
      await expect(kv.update('a.b', enc('stale'), r1)).rejects.toBeInstanceOf(KvConflictError);
      const r2 = await kv.create('a.b', enc('two'));
      expect(r2).toBe(marker!.revision + 1);
      await expect(kv.create('a.b', enc('three'))).rejects.toBeInstanceOf(KvConflictError);
      const r3 = await kv.update('a.b', enc('three'), r2);
      expect(dec((await reader.get('a.b'))!.value)).toBe('three');
      expect((await reader.get('a.b'))!.revision).toBe(r3);
    } finally {
      await nc.close();
    }
  });

  it('many writes issued at once all land, each with its own revision', async () => {
    const t = await withNatsTransport('kvw');
    opened.push(t);
    const kv = await t.transport.kv(`${t.prefix}_many`);
    const revisions = await Promise.all(Array.from({ length: 200 }, (_, i) => kv.put(`k${i % 20}`, enc(String(i)))));
    expect(new Set(revisions).size).toBe(200);
    expect((await kv.keys()).length).toBe(20);
  });

  it('a write to a removed bucket throws NotFoundError, like the memory adapter', async () => {
    const t = await withNatsTransport('kvw');
    opened.push(t);
    const bucket = `${t.prefix}_gone`;
    const kv = await t.transport.kv(bucket);
    await kv.put('k', enc('v'));
    await t.transport.removeKv(bucket);
    await expect(kv.put('k', enc('v'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(kv.create('k2', enc('v'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('close lets writes already sent finish and refuses later ones', async () => {
    const t = await withNatsTransport('kvw');
    opened.push(t);
    const kv = await t.transport.kv(`${t.prefix}_close`);
    const writes = Array.from({ length: 20 }, (_, i) => kv.put(`k${i}`, enc('v')));
    const closing = t.transport.close();
    const revisions = await Promise.all(writes);
    expect(revisions).toHaveLength(20);
    await closing;
    await expect(kv.put('late', enc('v'))).rejects.toBeInstanceOf(Error);
  });
});
