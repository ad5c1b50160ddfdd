/** Generic signed webhook routes: JSONata mappings to triggers and signals, HMAC over the raw body, replays processed once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@squadflow/transport/testing';
import { loadGatewayConfig, signHmacSha256 } from '../src/index.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';
import { echoWorkflow, startStack, waitingWorkflow, type Stack } from './support.ts';

const env = { SHOP_SECRET: 'shop-webhook-secret', PAY_SECRET: 'payments-secret' };
const ROUTES = [
  {
    name: 'shop_orders',
    secret: 'SHOP_SECRET',
    signature: { header: 'X-Shop-Signature', prefix: 'sha256=' },
    action: 'trigger',
    workflow: 'waiter',
    context: '{ "order_id": order.id, "total": order.total }',
    idempotencyKey: 'event_id',
  },
  {
    name: 'payments',
    secret: 'PAY_SECRET',
    signature: { header: 'X-Pay-Signature', encoding: 'base64' },
    action: 'signal',
    key: 'order_{payment.order_id}',
    data: '{ "paid": payment.amount }',
  },
];

describe('generic webhook routes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      kind: 'memory',
      workflows: [waitingWorkflow(), echoWorkflow()],
      config: { webhookRoutes: compileWebhookRoutes(ROUTES, env) },
    });
  });
  afterAll(() => stack?.close());

  const post = (name: string, body: unknown, headers: Record<string, string>) =>
    stack.gateway.app.inject({
      method: 'POST',
      url: `/webhooks/${name}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });

  it('triggers the mapped workflow once per delivery id, and signals it from another route', async () => {
    const event = { event_id: 'evt_1', order: { id: 'S-9', total: 120 } };
    const raw = JSON.stringify(event);
    const first = await post('shop_orders', event, { 'x-shop-signature': signHmacSha256(raw, env.SHOP_SECRET) });
    expect(first.statusCode).toBe(202);
    const id = first.json().executionId as string;
    expect(first.json()).toMatchObject({ action: 'trigger', duplicate: false, location: `/v1/executions/${id}` });
    const replay = await post('shop_orders', event, { 'x-shop-signature': signHmacSha256(raw, env.SHOP_SECRET) });
    expect(replay.json()).toMatchObject({ duplicate: true, executionId: id });
    expect(await stack.client.listExecutions({ workflow: 'waiter' })).toHaveLength(1);
    const waiting = await stack.client.waitFor(id, ['waiting']);
    expect(waiting.context).toEqual({ order_id: 'S-9', total: 120 });

    const payment = { payment: { order_id: 'S-9', amount: 120 } };
    const signature = signHmacSha256(JSON.stringify(payment), env.PAY_SECRET, '');
    const base64 = Buffer.from(signature, 'hex').toString('base64');
    const signalled = await post('payments', payment, { 'x-pay-signature': base64 });
    expect(signalled.json()).toMatchObject({ action: 'signal', key: 'order_S-9' });
    const done = await until(
      'order completed',
      () => stack.client.getExecution(id),
      (e) => e?.status === 'completed',
    );
    expect(done!.steps.find((s) => s.name === 'await_payment')?.output).toEqual({ paid: 120 });
  });

  it('refuses a bad signature with 401 and an unknown route with 404, starting nothing', async () => {
    const before = (await stack.client.listExecutions()).length;
    const event = { event_id: 'evt_2', order: { id: 'S-10', total: 5 } };
    const forged = await post('shop_orders', event, { 'x-shop-signature': signHmacSha256(JSON.stringify(event), 'guess') });
    expect([forged.statusCode, forged.json().error.code]).toEqual([401, 'INVALID_SIGNATURE']);
    const unknown = await post('nobody', event, {});
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    expect(await stack.client.listExecutions()).toHaveLength(before);
  });

  it('answers 422 when the mapping finds nothing to key a signal on', async () => {
    const body = { payment: { amount: 3 } };
    const res = await post('payments', body, {
      'x-pay-signature': Buffer.from(signHmacSha256(JSON.stringify(body), env.PAY_SECRET, ''), 'hex').toString('base64'),
    });
    expect([res.statusCode, res.json().error.code]).toEqual([422, 'INVALID_EXPRESSION']);
  });

  it('rejects route configurations naming the field at fault', () => {
    const broken = JSON.stringify([
      { ...ROUTES[0], secret: 'MISSING_SECRET', context: '{ "a": ' },
      { ...ROUTES[1], key: undefined },
    ]);
    expect(() => loadGatewayConfig({ SQUADFLOW_WEBHOOK_ROUTES: broken })).toThrow(
      /SQUADFLOW_WEBHOOK_ROUTES\.1\.key: required for a signal/,
    );
    const message = (() => {
      try {
        loadGatewayConfig({ SQUADFLOW_WEBHOOK_ROUTES: JSON.stringify([{ ...ROUTES[0], secret: 'MISSING_SECRET', context: '{ "a": ' }]) });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('SQUADFLOW_WEBHOOK_ROUTES.0.secret: environment variable MISSING_SECRET is not set');
    expect(message).toContain('SQUADFLOW_WEBHOOK_ROUTES.0.context');
  });
});
