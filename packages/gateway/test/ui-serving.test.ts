/**
 * The gateway serves the operator UI's built bundle: `/` redirects to `/ui/`,
 * files are served with cache headers (hashed assets for a year, the page
 * revalidated), any other path under `/ui/` gets index.html (the app routes in
 * the browser), nothing outside the bundle leaks, and a missing bundle is a
 * 503 page saying how to build it. A fixture bundle stands in for Vite's
 * output; test/ui/ drives the real one in a browser.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { createMemoryTransport } from '@squadflow/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/index.ts';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/ui/assets/index-Ab12Cd.js"></script></body></html>';
const SCRIPT = 'console.log("squadflow ui");';

let dir: string;
let gateway: Gateway | undefined;

async function start(uiDir: string, config: Parameters<typeof createGateway>[0]['config'] = {}) {
  const transport = createMemoryTransport();
  const client = await EngineClient.connect({ transport, prefix: 'ui' });
  gateway = createGateway({ client, transport, prefix: 'ui', logger: silentLogger(), config, uiDir });
  return gateway;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squadflow-ui-serving-'));
  await mkdir(join(dir, 'bundle', 'assets'), { recursive: true });
  await writeFile(join(dir, 'bundle', 'index.html'), INDEX);
  await writeFile(join(dir, 'bundle', 'assets', 'index-Ab12Cd.js'), SCRIPT);
  await writeFile(join(dir, 'bundle', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dir, 'secret.txt'), 'outside the bundle');
});

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('the operator UI served by the gateway', () => {
  it('redirects / and /ui to /ui/, which answers index.html revalidated on each load', async () => {
    const { app } = await start(join(dir, 'bundle'));
    for (const url of ['/', '/ui']) {
      const res = await app.inject({ method: 'GET', url });
      expect([res.statusCode, res.headers.location]).toEqual([302, '/ui/']);
    }
    const page = await app.inject({ method: 'GET', url: '/ui/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toBe(INDEX);
  });

  it('serves hashed assets as immutable for a year and other files with revalidation', async () => {
    const { app } = await start(join(dir, 'bundle'));
    const script = await app.inject({ method: 'GET', url: '/ui/assets/index-Ab12Cd.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe(SCRIPT);
    const icon = await app.inject({ method: 'GET', url: '/ui/favicon.svg' });
    expect([icon.statusCode, icon.headers['content-type'], icon.headers['cache-control']]).toEqual([
      200,
      'image/svg+xml',
      'public, max-age=0',
    ]);
  });

  it('answers index.html for app paths (/ui/executions/xyz) and never a file outside the bundle', async () => {
    const { app } = await start(join(dir, 'bundle'));
    for (const url of ['/ui/executions/xyz', '/ui/workflows/cart?version=2', '/ui/assets/missing-123.js', '/ui/..%2fsecret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.body]).toEqual([url, 200, INDEX]);
    }
    // The router resolves a dot-segment before routing: it leaves /ui/ and finds no route.
    const dots = await app.inject({ method: 'GET', url: '/ui/%2e%2e/secret.txt' });
    expect([dots.statusCode, dots.body.includes('outside the bundle')]).toEqual([404, false]);
  });

  it('needs no token for the pages while the API still does', async () => {
    const { app } = await start(join(dir, 'bundle'), { tokens: [{ name: 'ops', token: 'ops-token-0123456789abcdef', scopes: ['read'] }] });
    expect((await app.inject({ method: 'GET', url: '/ui/executions/xyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/workflows' })).statusCode).toBe(401);
  });

  it('answers 503 with a page naming `pnpm build` while the bundle is missing', async () => {
    const { app } = await start(join(dir, 'not-built'));
    for (const url of ['/ui/', '/ui/executions/xyz']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('pnpm build');
    }
  });
});
