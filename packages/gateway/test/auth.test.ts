/** Bearer tokens with scopes, the loopback-only rule without tokens, and the per-caller rate limit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiTokens, TokenVerifier } from '../src/http/auth.ts';
import { RateLimiter } from '../src/http/rate-limit.ts';
import { loadGatewayConfig } from '../src/index.ts';
import { echoWorkflow, startStack, type Stack } from './support.ts';

const READER = 'reader-token-0123456789';
const TRIGGER = 'trigger-token-0123456789';
const ADMIN = 'admin-token-0123456789ab';

describe('authentication and scopes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      kind: 'memory',
      workflows: [echoWorkflow()],
      config: { tokens: parseApiTokens(`ops:${READER}:read,app:${TRIGGER}:trigger+read,root:${ADMIN}:admin+read+trigger`) },
    });
  });
  afterAll(() => stack?.close());

  const as = (token: string | undefined, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    stack.gateway.app.inject({ method, url, ...(payload ? { payload } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers 401 without a token and with an unknown one, and starts nothing', async () => {
    const none = await as(undefined, 'POST', '/v1/workflows/echo/executions', {});
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    expect((await as('not-a-configured-token-xyz', 'GET', '/v1/workflows')).statusCode).toBe(401);
    expect(await stack.client.listExecutions()).toHaveLength(0);
  });

  it('answers 403 when the token lacks the scope', async () => {
    const res = await as(READER, 'POST', '/v1/workflows/echo/executions', {});
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', message: 'token "ops" lacks the "trigger" scope' });
    expect((await as(TRIGGER, 'PUT', '/v1/workflows/echo', echoWorkflow())).statusCode).toBe(403);
    expect((await as(TRIGGER, 'POST', '/v1/executions/ex_x/cancel')).statusCode).toBe(403);
  });

  it('lets each scope do its own work', async () => {
    expect((await as(READER, 'GET', '/v1/workflows')).statusCode).toBe(200);
    expect((await as(TRIGGER, 'POST', '/v1/workflows/echo/executions', {})).statusCode).toBe(202);
    expect((await as(TRIGGER, 'POST', '/v1/signals/some_key', { a: 1 })).statusCode).toBe(202);
    expect((await as(ADMIN, 'PUT', '/v1/workflows/echo', echoWorkflow())).statusCode).toBe(200);
  });

  it('leaves probes, the OpenAPI document and signed webhooks without bearer tokens', async () => {
    for (const url of ['/healthz', '/readyz', '/openapi.json']) expect((await as(undefined, 'GET', url)).statusCode).toBe(200);
    // The WhatsApp webhook is authenticated by its signature: no bearer token is asked for.
    expect((await as(undefined, 'GET', '/webhooks/whatsapp?hub.mode=subscribe')).json().error.code).toBe('FORBIDDEN');
  });
});

describe('token verification', () => {
  it('recognises only exact tokens, whatever their length', () => {
    const verifier = new TokenVerifier(parseApiTokens(`a:${READER}:read`));
    expect(verifier.identify(`Bearer ${READER}`)?.name).toBe('a');
    expect(verifier.identify(`bearer ${READER}`)?.name).toBe('a');
    expect(verifier.identify(`Bearer ${READER}x`)).toBeNull();
    expect(verifier.identify(`Bearer ${READER.slice(0, -1)}`)).toBeNull();
    expect(verifier.identify(READER)).toBeNull();
  });

  it('names the bad entry of SQUADFLOW_API_TOKENS without echoing the token', () => {
    let message = '';
    try {
      loadGatewayConfig({ SQUADFLOW_API_TOKENS: `ok:${READER}:read,bad:short:read,x:${TRIGGER}:write` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SQUADFLOW_API_TOKENS.1.token');
    expect(message).toContain('SQUADFLOW_API_TOKENS.2.scopes');
    expect(message).not.toContain('short');
    expect(message).not.toContain(TRIGGER);
  });
});

describe('binding without tokens', () => {
  it('refuses a non-loopback address without tokens and accepts it with one', () => {
    expect(() => loadGatewayConfig({ SQUADFLOW_HOST: '0.0.0.0' })).toThrow(
      /SQUADFLOW_HOST: refusing to listen on 0\.0\.0\.0 without authentication/,
    );
    expect(loadGatewayConfig({}).host).toBe('127.0.0.1');
    expect(loadGatewayConfig({ SQUADFLOW_HOST: '0.0.0.0', SQUADFLOW_API_TOKENS: `a:${READER}:read` }).host).toBe('0.0.0.0');
  });

  it('refuses to listen on 0.0.0.0 when created without tokens', async () => {
    const stack = await startStack({ kind: 'memory', config: { host: '0.0.0.0' } });
    try {
      await expect(stack.gateway.listen()).rejects.toThrow(/SQUADFLOW_HOST/);
    } finally {
      await stack.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a caller spends its budget, per token', async () => {
    const stack = await startStack({
      kind: 'memory',
      config: { rateLimitPerMinute: 3, tokens: parseApiTokens(`a:${READER}:read,b:${TRIGGER}:read`) },
    });
    try {
      const get = (token: string) =>
        stack.gateway.app.inject({ method: 'GET', url: '/v1/workflows', headers: { authorization: `Bearer ${token}` } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(READER)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await get(READER);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await get(TRIGGER)).statusCode).toBe(200);
      expect((await stack.gateway.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('refills continuously at the configured rate', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });
});
