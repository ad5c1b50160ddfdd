/**
 * The engine client's entry boundary (used by the gateway, the CLI and
 * embedded callers): what it refuses before anything is published or stored,
 * and what it leaves behind when the publish fails.
 */
import { MAX_JSON_DEPTH, names as makeNames, silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, type MemoryTransport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient, Orchestrator, TriggerNotConfirmedError } from '../src/index.ts';

const waiter = workflow('waiter').wait('hold', { signal: 'hold_{id}', timeout: '1h' }).build();

/** `{"a":{"a":...}}`, `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) {
    const child: Record<string, unknown> = {};
    node['a'] = child;
    node = child;
  }
  return root;
}

describe('engine client entry limits', () => {
  let transport: MemoryTransport;
  afterEach(() => transport?.close());

  const connect = async (options: { maxPayload?: number; maxContextBytes?: number } = {}) => {
    transport = createMemoryTransport(options.maxPayload ? { maxPayload: options.maxPayload } : {});
    const client = await EngineClient.connect({
      transport,
      ...(options.maxContextBytes === undefined ? {} : { maxContextBytes: options.maxContextBytes }),
    });
    await client.registerWorkflow(waiter);
    return client;
  };

  it('refuses a context whose trigger message is over the limit, naming context and the limit, and stores nothing', async () => {
    const client = await connect();
    const big = { blob: 'x'.repeat(900 * 1024) };
    await expect(client.trigger('waiter', big, { idempotencyKey: 'big' })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      issues: [{ path: 'context', message: expect.stringContaining(String(256 * 1024)) }],
    });
    expect(await client.listExecutions()).toEqual([]);
    expect(client.maxContextBytes).toBe(256 * 1024); // a quarter of the 1 MiB default max_payload
  });

  it('derives the default limit from the transport max payload, and refuses a configured one above half of it', async () => {
    const client = await connect({ maxPayload: 64 * 1024 });
    expect(client.maxContextBytes).toBe(16 * 1024);
    await expect(client.trigger('waiter', { blob: 'x'.repeat(20 * 1024) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(EngineClient.connect({ transport, maxContextBytes: 40 * 1024 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      issues: [{ path: 'maxContextBytes', message: expect.stringContaining(String(32 * 1024)) }],
    });
    expect((await EngineClient.connect({ transport, maxContextBytes: 32 * 1024 })).maxContextBytes).toBe(32 * 1024);
  });

  it('refuses a context nested deeper than the depth limit before anything recurses into it', async () => {
    const client = await connect();
    await client.trigger('waiter', nested(MAX_JSON_DEPTH)); // at the limit: fine
    await expect(client.trigger('waiter', nested(100_000), { idempotencyKey: 'deep' })).rejects.toMatchObject({
      code: 'INVALID_CONTEXT',
      issues: [{ path: 'context', message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) }],
    });
    expect(await client.listExecutions()).toHaveLength(1);
  });

  it('leaves no execution behind when the trigger cannot be published', async () => {
    const client = await connect();
    // No stream captures triggers any more: the publish fails.
    await transport.streams.remove(makeNames().streams.inbound);
    const failure = await client.trigger('waiter', { id: 1 }, { idempotencyKey: 'order-1' }).catch((err: unknown) => err);
    expect(await client.listExecutions()).toEqual([]);
    expect(failure).toBeInstanceOf(TriggerNotConfirmedError);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', idempotencyKey: 'order-1', executionId: expect.stringMatching(/^ex_/) });
  });

  it('refuses signal data nested too deeply or too large, and a key over 512 bytes, naming the field', async () => {
    const client = await connect();
    await expect(client.signal('k', nested(100_000))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'data' }] });
    await expect(client.signal('k', { blob: 'x'.repeat(300 * 1024) })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      issues: [{ path: 'data', message: expect.stringContaining(String(256 * 1024)) }],
    });
    await expect(client.signal('é'.repeat(257))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      issues: [{ path: 'key', message: expect.stringContaining('512 bytes') }],
    });
    expect(await client.signal('é'.repeat(256))).toEqual(expect.any(String));
  });

  it('refuses a control it would otherwise publish for the orchestrator to drop: a reason over 2,000 characters', async () => {
    const client = await connect();
    const orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    try {
      const id = await client.trigger('waiter', { id: 7 });
      await client.waitFor(id, ['waiting'], 10_000);
      await expect(client.cancel(id, 'x'.repeat(2_001))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'reason' }] });
      await expect(client.cancel('not.an*id')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'executionId' }] });
      await client.cancel(id, 'done');
      expect((await client.waitFor(id, ['cancelled'], 10_000)).status).toBe('cancelled');
    } finally {
      await orchestrator.stop();
    }
  });
});
