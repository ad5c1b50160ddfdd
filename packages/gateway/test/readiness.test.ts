/** Readiness follows NATS: a gateway whose NATS server is gone answers /readyz with 503, liveness stays 200. */
import { connectNatsTransport, createMemoryTransport } from '@squadflow/transport';
import { EngineClient } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { describe, expect, it } from 'vitest';
import { startNatsServer, until } from '@squadflow/transport/testing';
import { createGateway } from '../src/index.ts';

describe('readiness', () => {
  it('answers 503 on /readyz and the API while its NATS server is unreachable, and 200 again once it is back', async () => {
    const server = await startNatsServer();
    const transport = await connectNatsTransport({ servers: server.url, name: 'gateway-readiness-test' });
    const client = await EngineClient.connect({ transport, prefix: 'ready' });
    const gateway = createGateway({ client, transport, prefix: 'ready', logger: silentLogger(), config: { readyTimeoutMs: 300 } });
    const probe = async (url: string) => {
      const res = await gateway.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() as { status: string; reason?: string } };
    };
    try {
      expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ok', transport: 'nats' } });

      server.signal('SIGKILL');
      await server.exited();
      const down = await until(
        'readyz 503',
        () => probe('/readyz'),
        (r) => r.status === 503,
        10_000,
      );
      expect(down.body.status).toBe('unavailable');
      expect(down.body.reason).toMatch(/NATS/);
      expect((await probe('/healthz')).status).toBe(200);
      // API calls give up with the NATS client's request timeout and say so, rather than a 500.
      const api = await gateway.app.inject({ method: 'GET', url: '/v1/executions/ex_somewhere' });
      expect([api.statusCode, api.json().error.code]).toEqual([503, 'UNAVAILABLE']);

      await server.restart();
      await until(
        'readyz 200 after NATS is back',
        () => probe('/readyz'),
        (r) => r.status === 200,
        20_000,
      );
    } finally {
      await gateway.close();
      await transport.close();
      await server.remove();
    }
  });

  it('is always ready on the in-memory transport', async () => {
    const transport = createMemoryTransport();
    const client = await EngineClient.connect({ transport });
    const gateway = createGateway({ client, transport, logger: silentLogger() });
    const res = await gateway.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json()).toEqual({ status: 'ok', transport: 'memory' });
    await gateway.close();
    await transport.close();
  });
});
