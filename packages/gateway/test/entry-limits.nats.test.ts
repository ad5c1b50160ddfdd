/**
 * What the gateway refuses at its door, over real NATS: a context or signal
 * data too large for the engine to keep (413, before anything is published
 * or recorded), and JSON nested too deeply (4xx, before it is parsed).
 */
import { MAX_JSON_DEPTH } from '@squadflow/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacSha256 } from '../src/index.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';
import { echoWorkflow, startStack, type Stack } from './support.ts';

const env = { SHOP_SECRET: 'shop-webhook-secret' };
const ROUTES = [
  {
    name: 'shop_orders',
    secret: 'SHOP_SECRET',
    signature: { header: 'X-Shop-Signature', prefix: 'sha256=' },
    action: 'trigger',
    workflow: 'echo',
    idempotencyKey: 'event_id',
  },
];
/** The default context limit: a quarter of the server's 1 MiB max_payload. */
const LIMIT = 256 * 1024;
const deepJson = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('entry limits over NATS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind: 'nats', workflows: [echoWorkflow()], config: { webhookRoutes: compileWebhookRoutes(ROUTES, env) } });
  });
  afterAll(() => stack?.close());

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    stack.gateway.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });
  const webhook = (payload: string) =>
    post('/webhooks/shop_orders', payload, { 'x-shop-signature': signHmacSha256(payload, env.SHOP_SECRET) });

  it('refuses a context over the limit with 413 naming context and the limit, and starts nothing; a smaller one completes', async () => {
    const res = await post('/v1/workflows/echo/executions', JSON.stringify({ blob: 'x'.repeat(900 * 1024) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      issues: [{ path: 'context', message: expect.stringContaining(`${LIMIT} bytes`) }],
    });
    expect(await stack.client.listExecutions({ workflow: 'echo' })).toEqual([]);

    const fits = await post('/v1/workflows/echo/executions?wait=20s', JSON.stringify({ blob: 'x'.repeat(100 * 1024) }));
    expect([fits.statusCode, fits.json().status]).toEqual([200, 'completed']);
  });

  it('refuses signal data over the limit with 413 naming data', async () => {
    const res = await post('/v1/signals/order_1', JSON.stringify({ blob: 'x'.repeat(900 * 1024) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', issues: [{ path: 'data' }] });
  });

  it('refuses a webhook delivery whose context is over the limit before recording it in the delivery ledger', async () => {
    const res = await webhook(JSON.stringify({ event_id: 'evt_big', blob: 'x'.repeat(900 * 1024) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', issues: [{ path: 'context' }] });
    const ledger = await stack.transport.kv(`${stack.prefix}_webhooks`);
    expect(await ledger.keys()).toEqual([]);
    expect(await stack.client.listExecutions({ workflow: 'echo' })).toHaveLength(1); // the one that fit, above
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels, naming the field and the limit`, async () => {
    const deep = deepJson(100_000);
    const trigger = await post('/v1/workflows/echo/executions', deep);
    expect([trigger.statusCode, trigger.json().error.code]).toEqual([422, 'INVALID_CONTEXT']);
    expect(trigger.json().error.issues).toEqual([{ path: 'context', message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) }]);

    const signal = await post('/v1/signals/order_1', deep);
    expect([signal.statusCode, signal.json().error.code, signal.json().error.issues[0].path]).toEqual([400, 'INVALID_ARGUMENT', 'data']);

    const delivery = await webhook(deep);
    expect([delivery.statusCode, delivery.json().error.issues[0].path]).toEqual([400, 'body']);

    // At the limit is fine.
    expect((await post('/v1/workflows/echo/executions', deepJson(MAX_JSON_DEPTH))).statusCode).toBe(202);
  });
});
