/**
 * A trigger while NATS is frozen (SIGSTOP on a server of this test's own):
 * the gateway answers 503 UNAVAILABLE with Retry-After, says the outcome is
 * unknown and gives the idempotency key it generated and the execution id;
 * once NATS is back, retrying with that key yields the same execution, and
 * exactly one execution runs. Nothing is left `pending`.
 */
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import { startNatsServer, until, type NatsServerProcess } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/index.ts';
import { startStandInSquad, type StandInSquad } from './stand-in-squad.ts';
import { echoWorkflow } from './support.ts';

const PREFIX = 'frozen';
/** Publishes and KV writes give up after this long (the default is 10 s). */
const REQUEST_TIMEOUT_MS = 2_000;

describe('a trigger while NATS is frozen', () => {
  let server: NatsServerProcess;
  let transport: Transport;
  let orchestrator: Orchestrator;
  let squad: StandInSquad;
  let client: EngineClient;
  let gateway: Gateway;

  beforeAll(async () => {
    server = await startNatsServer();
    transport = await connectNatsTransport({ servers: server.url, name: 'frozen-nats-test', requestTimeoutMs: REQUEST_TIMEOUT_MS });
    orchestrator = await Orchestrator.start({ transport, prefix: PREFIX, logger: silentLogger() });
    squad = await startStandInSquad({ transport, prefix: PREFIX, squad: 'alpha' });
    client = await EngineClient.connect({ transport, prefix: PREFIX });
    await client.registerWorkflow(echoWorkflow());
    gateway = createGateway({ client, transport, prefix: PREFIX, logger: silentLogger() });
  });
  afterAll(async () => {
    server?.thaw();
    await gateway?.close();
    await squad?.stop();
    await orchestrator?.stop();
    await transport?.close();
    await server?.remove();
  });

  const trigger = (headers: Record<string, string> = {}) =>
    gateway.app.inject({ method: 'POST', url: '/v1/workflows/echo/executions?version=1', headers, payload: { order: 1 } });

  it('answers 503 with the key to retry with, and the retry starts exactly one execution', async () => {
    // One trigger while NATS answers: it also warms the registry cache, so the frozen call below is the trigger's publish.
    const normal = await trigger();
    expect(normal.statusCode).toBe(202);
    await client.waitFor(normal.json().executionId as string, ['completed'], 20_000);

    await server.freeze();
    const started = Date.now();
    const refused = await trigger();
    const waited = Date.now() - started;
    server.thaw();

    expect(refused.statusCode).toBe(503);
    expect(waited).toBeLessThan(REQUEST_TIMEOUT_MS * 3);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    const body = refused.json() as {
      error: { code: string; message: string; details: { outcome: string; executionId: string; idempotencyKey: string } };
    };
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toMatch(/outcome is unknown/);
    const { executionId, idempotencyKey } = body.error.details;
    expect(body.error.details.outcome).toBe('unknown');
    expect(idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.headers['idempotency-key']).toBe(idempotencyKey);
    expect(executionId).toMatch(/^ex_/);

    // NATS is back: the retry names the same execution, whether or not the frozen trigger got through.
    const retried = await until(
      'the retry accepted',
      () => trigger({ 'idempotency-key': idempotencyKey }),
      (res) => res.statusCode === 202,
      20_000,
    );
    expect(retried.json()).toMatchObject({ executionId, idempotencyKey });
    expect((await client.waitFor(executionId, ['completed'], 20_000)).status).toBe('completed');

    // Every 202 carries the key too, generated when the caller sent none.
    const normalKey = normal.headers['idempotency-key'];
    expect(normalKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(normalKey).not.toBe(idempotencyKey);
    expect(normal.json()).toMatchObject({ idempotencyKey: normalKey });

    const executions = await client.listExecutions({ workflow: 'echo' });
    expect(executions.filter((e) => e.idempotencyKey === idempotencyKey).map((e) => e.executionId)).toEqual([executionId]);
    // The first execution and the retried one; nothing else, and nothing stuck `pending`.
    expect(executions.map((e) => e.status).sort()).toEqual(['completed', 'completed']);
  });
});
