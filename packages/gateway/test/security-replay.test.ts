/**
 * Matrix G7: a signed webhook replayed days later. Neither signature scheme
 * carries a timestamp (Meta's `X-Hub-Signature-256` signs the body only; the
 * generic routes too), so a captured delivery stays valid forever and the
 * only defence is the delivery ledger: a replay within its 30-day horizon is
 * answered as a success and changes nothing. The clock is injected into the
 * whole deployment (in-memory transport: KV expiry and the stream's dedup
 * window run on it) and jumps forward; after 3 and 8 days the replay is a
 * duplicate, after 31 days the ledger has forgotten it (which shows the
 * horizon is the ledger's, not the minutes-long dedup window's).
 */
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { createMemoryTransport, type Clock, type Transport } from '@squadflow/transport';
import { until } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, signHmacSha256, type Gateway } from '../src/index.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';
import { LEDGER_TTL_MS } from '../src/webhooks/ledger.ts';
import { startStandInSquad, type StandInSquad } from './stand-in-squad.ts';
import { echoWorkflow } from './support.ts';

const DAY = 86_400_000;
const APP_SECRET = 'replay-app-s3cret';
const SHOP_SECRET = 'replay-shop-s3cret';

/** The system clock, plus jumps: timers still run in real time, `now()` leaps (a host clock set forward). */
class JumpingClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  setTimer(at: number, fn: () => void): unknown {
    return setTimeout(fn, Math.max(0, at - this.now()));
  }
  clearTimer(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
  jump(ms: number): void {
    this.offset += ms;
  }
}

const META_BODY =
  '{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[' +
  '{"from":"5511977776666","id":"wamid.REPLAY","timestamp":"1700000000","type":"text","text":{"body":"ol\\u00e1"}}]}}]}]}';
const SHOP_BODY = '{"event_id":"evt_replay","order":{"id":"R-1"}}';

describe('replay after days (matrix G7)', () => {
  const clock = new JumpingClock();
  let transport: Transport;
  let orchestrator: Orchestrator;
  let squad: StandInSquad;
  let client: EngineClient;
  let gateway: Gateway;

  beforeAll(async () => {
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    squad = await startStandInSquad({ transport, prefix: 'sqf', squad: 'alpha' });
    client = await EngineClient.connect({ transport });
    await client.registerWorkflow(echoWorkflow());
    await client.registerWorkflow(echoWorkflow('lead_conversation'));
    gateway = createGateway({
      client,
      transport,
      logger: silentLogger(),
      config: {
        whatsapp: { appSecret: APP_SECRET, conversationWorkflow: 'lead_conversation' },
        webhookRoutes: compileWebhookRoutes(
          [
            {
              name: 'shop',
              secret: 'SHOP_SECRET',
              signature: { header: 'X-Shop-Signature', prefix: 'sha256=' },
              action: 'trigger',
              workflow: 'echo',
              idempotencyKey: 'event_id',
            },
          ],
          { SHOP_SECRET },
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await squad?.stop();
    await orchestrator?.stop();
    await transport?.close();
  });

  const deliverMeta = () =>
    gateway.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHmacSha256(META_BODY, APP_SECRET) },
      payload: META_BODY,
    });
  const deliverShop = () =>
    gateway.app.inject({
      method: 'POST',
      url: '/webhooks/shop',
      headers: { 'content-type': 'application/json', 'x-shop-signature': signHmacSha256(SHOP_BODY, SHOP_SECRET) },
      payload: SHOP_BODY,
    });
  const executions = async () => (await client.listExecutions()).length;

  it('keeps webhook deliveries for 30 days, past the 8 days the matrix asks', () => {
    expect(LEDGER_TTL_MS).toBeGreaterThanOrEqual(8 * DAY);
    expect(LEDGER_TTL_MS).toBe(30 * DAY);
  });

  it('answers the same signed delivery 3 and 8 days later as a success, creating nothing; forgets it after 31 days', async () => {
    const meta = await deliverMeta();
    expect([meta.statusCode, meta.json()]).toEqual([200, expect.objectContaining({ triggered: 1, duplicates: 0 })]);
    const shop = await deliverShop();
    expect([shop.statusCode, shop.json().duplicate]).toEqual([202, false]);
    const shopExecution = shop.json().executionId as string;
    await until(
      'both executions completed',
      () => client.listExecutions(),
      (list) => list.length === 2 && list.every((e) => e.status === 'completed'),
    );

    for (const days of [3, 5]) {
      clock.jump(days * DAY); // day 3, then day 8
      const metaAgain = await deliverMeta();
      expect([metaAgain.statusCode, metaAgain.json()], `day ${days}`).toEqual([
        200,
        expect.objectContaining({ received: 1, triggered: 0, duplicates: 1 }),
      ]);
      const shopAgain = await deliverShop();
      expect([shopAgain.statusCode, shopAgain.json()], `day ${days}`).toEqual([
        202,
        expect.objectContaining({ duplicate: true, executionId: shopExecution }),
      ]);
      expect(await executions()).toBe(2);
    }

    // Day 31: the ledger entry expired; the delivery is processed as new (its idempotency key still names the same execution).
    clock.jump(23 * DAY);
    const late = await deliverShop();
    expect([late.statusCode, late.json().duplicate]).toEqual([202, false]);
    expect(late.json().executionId).toBe(shopExecution);
  });
});
