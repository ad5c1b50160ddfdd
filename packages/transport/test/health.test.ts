/**
 * The container health check (docker-compose.yml): a process keeps its
 * health file fresh while NATS answers it, and `healthcheck` judges a file
 * by its age or a URL by its status.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@squadflow/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth, connectNatsTransport, parseHealthCheckArgs, startHealthFile } from '../src/index.ts';
import { startNatsServer, until } from '../src/testing/index.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'squadflow-health-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkHealth', () => {
  it('passes a file younger than the maximum age, fails an old or missing one, saying why', async () => {
    const file = join(dir, 'fresh');
    writeFileSync(file, '{}');
    const now = statSync(file).mtimeMs;
    expect(await checkHealth(file, { maxAgeMs: 20_000, now: () => now + 5_000 })).toMatchObject({ ok: true });
    expect(await checkHealth(file, { maxAgeMs: 20_000, now: () => now + 21_000 })).toEqual({
      ok: false,
      reason: `${file}: last refreshed 21000 ms ago (more than 20000 ms)`,
    });
    expect(await checkHealth(join(dir, 'missing'))).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
  });

  it('passes a URL answering 2xx and fails a 503 or a closed port', async () => {
    let status = 200;
    const server: Server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/readyz`;
    try {
      expect(await checkHealth(url)).toMatchObject({ ok: true });
      status = 503;
      expect(await checkHealth(url)).toEqual({ ok: false, reason: `${url}: 503` });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await checkHealth(url, { timeoutMs: 1_000 })).toMatchObject({ ok: false });
  });

  it('reads its arguments, refusing what it does not know', () => {
    expect(parseHealthCheckArgs(['/tmp/h', '--max-age', '20s'])).toEqual({ target: '/tmp/h', maxAgeMs: 20_000 });
    expect(parseHealthCheckArgs(['--max-age=500ms', '/tmp/h'])).toEqual({ target: '/tmp/h', maxAgeMs: 500 });
    expect(parseHealthCheckArgs(['http://x/readyz'])).toEqual({ target: 'http://x/readyz', maxAgeMs: 20_000 });
    expect(() => parseHealthCheckArgs([])).toThrow(/usage/);
    expect(() => parseHealthCheckArgs(['/tmp/h', '--max-age', 'soon'])).toThrow(/--max-age/);
    expect(() => parseHealthCheckArgs(['/tmp/h', '/tmp/other'])).toThrow(/unexpected/);
  });

  it('as a command: exit 0 healthy, 1 unhealthy, 2 usage, with one line saying why', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'packages/transport/src/bin/healthcheck.ts', ...args], { encoding: 'utf8' });
    const file = join(dir, 'cmd');
    writeFileSync(file, '{}');
    const healthy = run(file);
    expect([healthy.status, healthy.stdout]).toEqual([0, expect.stringMatching(/^healthy: .*refreshed \d+ ms ago\n$/)]);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(file, old, old);
    expect(run(file, '--max-age', '20s').status).toBe(1);
    expect(run().status).toBe(2);
  });
});

describe('startHealthFile', () => {
  it('refreshes the file while NATS answers, lets it age while the server does not, and removes it on stop', async () => {
    const server = await startNatsServer();
    const transport = await connectNatsTransport({ servers: server.url });
    const path = join(dir, 'process.health');
    const health = startHealthFile({ path, transport, intervalMs: 100, timeoutMs: 200, logger: silentLogger() });
    try {
      await health.first;
      expect((await checkHealth(path, { maxAgeMs: 1_000 })).ok).toBe(true);
      // A server that answers nothing (SIGSTOP): no more refreshes, and the check fails once the file is older than its limit.
      await server.freeze();
      await until(
        'the health file to age',
        () => checkHealth(path, { maxAgeMs: 500 }),
        (v) => !v.ok,
      );
      server.thaw();
      await until(
        'the health file to be fresh again',
        () => checkHealth(path, { maxAgeMs: 500 }),
        (v) => v.ok,
      );
      await health.stop();
      expect(existsSync(path)).toBe(false);
    } finally {
      await health.stop();
      await transport.close();
      await server.remove();
    }
  });
});
