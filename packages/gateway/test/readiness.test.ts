/** Readiness follows NATS: a gateway whose NATS server is gone answers /readyz with 503, liveness stays 200. */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connectNatsTransport, createMemoryTransport } from '@squadflow/transport';
import { EngineClient } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { describe, expect, it } from 'vitest';
import { until, freePort } from '@squadflow/transport/testing';
import { createGateway } from '../src/index.ts';

function natsServerBinary(): string {
  for (const dir of ['/usr/sbin', ...(process.env['PATH'] ?? '').split(delimiter)]) {
    try {
      accessSync(join(dir, 'nats-server'), constants.X_OK);
      return join(dir, 'nats-server');
    } catch {
      // not here
    }
  }
  throw new Error('nats-server not found in /usr/sbin or on PATH');
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function startNats(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(natsServerBinary(), ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
  await until(`nats-server on ${port}`, () => accepts(port), Boolean, 15_000);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('readiness', () => {
  it('answers 503 on /readyz and the API while its NATS server is unreachable, and 200 again once it is back', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'squadflow-gw-nats-'));
    let server = await startNats(port, dir);
    const transport = await connectNatsTransport({ servers: `nats://127.0.0.1:${port}`, name: 'gateway-readiness-test' });
    const client = await EngineClient.connect({ transport, prefix: 'ready' });
    const gateway = createGateway({ client, transport, prefix: 'ready', logger: silentLogger(), config: { readyTimeoutMs: 300 } });
    const probe = async (url: string) => {
      const res = await gateway.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() as { status: string; reason?: string } };
    };
    try {
      expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ok', transport: 'nats' } });

      await kill(server);
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

      server = await startNats(port, dir);
      await until(
        'readyz 200 after NATS is back',
        () => probe('/readyz'),
        (r) => r.status === 200,
        20_000,
      );
    } finally {
      await gateway.close();
      await transport.close();
      await kill(server);
      await rm(dir, { recursive: true, force: true });
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
