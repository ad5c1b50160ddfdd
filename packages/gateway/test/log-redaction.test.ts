/**
 * Secrets never reach the log: fastify logs every request's URL at info
 * level, and Meta's verification GET carries the verify token in its query.
 * Every line the gateway writes is captured and searched.
 */
import { Writable } from 'node:stream';
import { EngineClient } from '@squadflow/engine';
import { createLogger } from '@squadflow/shared';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, signHmacSha256, type Gateway } from '../src/index.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';

const VERIFY_TOKEN = 'verify-t0ken-9f8e7d6c';
const APP_SECRET = 'app-s3cret-1a2b3c4d';
const ROUTE_SECRET = 'route-s3cret-5e6f7a8b';
const STATUS_ONLY = {
  object: 'whatsapp_business_account',
  entry: [{ changes: [{ value: { statuses: [{ id: 'wamid.1', status: 'sent', timestamp: '1700000000', recipient_id: '5511' }] } }] }],
};

describe('request logs', () => {
  const lines: string[] = [];
  let transport: Transport;
  let gateway: Gateway;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    transport = createMemoryTransport();
    const client = await EngineClient.connect({ transport });
    gateway = createGateway({
      client,
      transport,
      logger: createLogger({ level: 'info' }, sink),
      config: {
        whatsapp: { verifyToken: VERIFY_TOKEN, appSecret: APP_SECRET, conversationWorkflow: 'lead_conversation' },
        webhookRoutes: compileWebhookRoutes(
          [{ name: 'shop', secret: 'SHOP_SECRET', signature: { header: 'X-Shop-Signature' }, action: 'signal', key: 'k_{id}' }],
          { SHOP_SECRET: ROUTE_SECRET },
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await transport?.close();
  });

  it('carry no secret for the verification GET, a signed POST and a badly signed one', async () => {
    const inject = gateway.app.inject.bind(gateway.app);
    const verified = await inject({
      method: 'GET',
      url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    });
    expect([verified.statusCode, verified.body]).toEqual([200, '1158201444']);
    const wrong = await inject({
      method: 'GET',
      url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guessed-token-123&hub.challenge=1',
    });
    expect(wrong.statusCode).toBe(403);

    const raw = JSON.stringify(STATUS_ONLY);
    const signature = signHmacSha256(raw, APP_SECRET);
    const signed = await inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      payload: raw,
    });
    expect(signed.statusCode).toBe(200);
    const forged = await inject({
      method: 'POST',
      url: `/webhooks/whatsapp?secret=${APP_SECRET}`,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHmacSha256(raw, 'not-the-secret') },
      payload: raw,
    });
    expect(forged.statusCode).toBe(401);
    // A secret in a path, and a secret-named query parameter outside the webhooks.
    await inject({ method: 'GET', url: `/v1/executions/${ROUTE_SECRET}` });
    await inject({ method: 'GET', url: '/v1/executions?api_token=abcdef0123456789' });

    const requests = lines.filter((l) => l.includes('"incoming request"'));
    expect(requests).toHaveLength(6);
    expect(requests[0]).toContain('/webhooks/whatsapp?hub.mode=[redacted]&hub.verify_token=[redacted]&hub.challenge=[redacted]');
    for (const secret of [VERIFY_TOKEN, APP_SECRET, ROUTE_SECRET, 'guessed-token-123', 'abcdef0123456789', signature.slice(7)]) {
      expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    }
  });
});
