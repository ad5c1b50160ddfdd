import type { Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { adsBucket, createGoogleAdsSquad, openAdsStore } from '../../src/catalog/index.ts';
import { sha256Hex } from '../../src/catalog/common/ids.ts';
import { fakeContext, memory, run, runThroughSquad } from './support.ts';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

async function setup() {
  const m = memory();
  transport = m.transport;
  const ads = await openAdsStore(m.transport, m.prefix);
  return { ...m, ads, squad: createGoogleAdsSquad({ ads }) };
}

const cart = {
  customer_phone: '+55 11 99999-9999',
  customer_name: 'João Silva',
  abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100 }],
  cart_value: 479.7,
};

describe('google_ads squad', () => {
  it('creates a cart abandoner audience holding the hashed phone and the cart products', async () => {
    const { ads, squad } = await setup();
    const out = (await run(squad, 'create_cart_abandoner_audience', cart)) as { audience_id: string };

    expect(out).toMatchObject({ size: 1, product_ids: ['prod_1'], created: true, segment: null, simulated: true });
    const audience = await ads.getAudience(out.audience_id);
    expect(audience).toMatchObject({ kind: 'cart_abandoners', status: 'active', members: [{ phone_sha256: sha256Hex('+5511999999999') }] });
    expect(JSON.stringify(audience)).not.toContain('99999');
  });

  it('creates one audience when the action runs twice for the same command, and another for another execution', async () => {
    const { transport: t, prefix, squad } = await setup();
    const ctx = fakeContext();
    const first = (await run(squad, 'create_cart_abandoner_audience', cart, ctx)) as { audience_id: string };
    const again = await run(squad, 'create_cart_abandoner_audience', cart, ctx);
    const retry = await run(
      squad,
      'create_cart_abandoner_audience',
      cart,
      fakeContext({ executionId: ctx.executionId, step: ctx.step, attempt: 2 }),
    );
    const other = (await run(squad, 'create_cart_abandoner_audience', cart)) as { audience_id: string };

    expect(again).toMatchObject({ audience_id: first.audience_id, created: false });
    expect(retry).toMatchObject({ audience_id: first.audience_id, created: false });
    expect(other.audience_id).not.toBe(first.audience_id);
    expect(await (await t.kv(adsBucket(prefix))).keys('audience.*')).toHaveLength(2);
  });

  it('creates a lead audience from lead_data with the segment, matching on the email when the phone is invalid', async () => {
    const { ads, squad } = await setup();
    const out = (await run(squad, 'create_lead_audience', {
      name: 'Maria Santos',
      phone: '123',
      email: ' Maria@Example.com',
      source: 'Facebook Ads',
      segment: 'hot',
    })) as { audience_id: string };

    expect(out).toMatchObject({ segment: 'hot', size: 1 });
    expect((await ads.getAudience(out.audience_id))?.members).toEqual([{ email_sha256: sha256Hex('maria@example.com') }]);
    await expect(run(squad, 'create_lead_audience', { name: 'Sem contato' })).rejects.toMatchObject({ code: 'NO_IDENTIFIERS' });
  });

  it('deletes an audience from the default compensation input { context, output }', async () => {
    const { ads, squad } = await setup();
    const created = (await run(squad, 'create_lead_audience', { phone: '+5511888888888' })) as { audience_id: string };
    const deleted = await run(
      squad,
      'delete_audience',
      { context: { lead_data: {} }, output: created },
      fakeContext({ compensation: true }),
    );

    expect(deleted).toEqual({ audience_id: created.audience_id, status: 'deleted', simulated: true });
    expect((await ads.getAudience(created.audience_id))?.status).toBe('deleted');
    expect(await run(squad, 'delete_audience', { audience_id: 'aud_missing' })).toEqual({
      audience_id: 'aud_missing',
      status: 'not_found',
      simulated: true,
    });
  });

  it('pauses the active campaigns of a product and resumes exactly those as compensation', async () => {
    const { ads, squad } = await setup();
    // A campaign paused by someone else must stay paused after the compensation.
    await ads.pauseProductCampaigns('prod_124', 'manual');
    const paused = (await run(squad, 'pause_product_campaigns', { product_id: 'prod_123', stock_level: 3 })) as {
      paused_campaign_ids: string[];
    };

    expect(paused).toMatchObject({
      product_id: 'prod_123',
      paused_campaign_ids: ['cmp_shopping_prod_123'],
      paused_count: 1,
      simulated: true,
    });
    expect((await ads.getCampaign('cmp_shopping_prod_123'))?.status).toBe('paused');
    expect((await ads.getCampaign('cmp_shopping_prod_1'))?.status).toBe('active');

    const resumed = await run(squad, 'resume_product_campaigns', { context: {}, output: paused });
    expect(resumed).toEqual({ product_id: 'prod_123', resumed_campaign_ids: ['cmp_shopping_prod_123'], resumed_count: 1, simulated: true });
    expect((await ads.getCampaign('cmp_shopping_prod_123'))?.status).toBe('active');
    expect((await ads.getCampaign('cmp_search_calcados'))?.status).toBe('paused');
  });

  it('reports the same paused campaigns when a pause step is retried after it already paused them', async () => {
    const { squad } = await setup();
    const ctx = fakeContext();
    const first = await run(squad, 'pause_product_campaigns', { product_id: 'prod_400' }, ctx);
    const retried = await run(
      squad,
      'pause_product_campaigns',
      { product_id: 'prod_400' },
      fakeContext({ executionId: ctx.executionId, step: ctx.step, attempt: 2 }),
    );

    expect(first).toMatchObject({ paused_campaign_ids: ['cmp_pmax_eletronicos'] });
    expect(retried).toEqual(first);
  });

  it('resumes every paused campaign of a product when no ids are given (after a restock)', async () => {
    const { squad } = await setup();
    await run(squad, 'pause_product_campaigns', { product_id: 'prod_123' });

    expect(await run(squad, 'resume_product_campaigns', { product_id: 'prod_123' })).toMatchObject({
      resumed_campaign_ids: ['cmp_search_calcados', 'cmp_shopping_prod_123'],
    });
  });

  it('answers a step command through startSquad', async () => {
    const { transport: t, prefix, squad } = await setup();
    const reply = await runThroughSquad(t, prefix, squad, 'pause_product_campaigns', {
      product_id: 'prod_123',
      stock_level: 3,
      min_threshold: 10,
    });

    expect(reply).toMatchObject({ ok: true, output: { paused_count: 2 } });
  });
});
