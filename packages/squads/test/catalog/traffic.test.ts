import type { Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { cartRecoveryBudget, createGoogleAdsSquad, createTrafficSquad, leadNurtureBudget, openAdsStore } from '../../src/catalog/index.ts';
import { fakeContext, memory, run, runThroughSquad } from './support.ts';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

async function setup() {
  const m = memory();
  transport = m.transport;
  const ads = await openAdsStore(m.transport, m.prefix, { dataFile: false });
  return { ...m, ads, squad: createTrafficSquad({ ads }), googleAds: createGoogleAdsSquad({ ads }) };
}

const cart = {
  customer_phone: '+5511999999999',
  customer_name: 'João Silva',
  abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100 }],
  cart_value: 479.7,
};

describe('traffic squad', () => {
  it('launches a cart recovery campaign at the audience google_ads created, with a budget from the cart value', async () => {
    const { ads, squad, googleAds } = await setup();
    const audience = (await run(googleAds, 'create_cart_abandoner_audience', cart)) as { audience_id: string };
    const out = (await run(squad, 'launch_cart_recovery_campaign', { ...cart, audience_id: audience.audience_id })) as {
      campaign_id: string;
    };

    expect(out).toMatchObject({
      simulated: true,
      status: 'active',
      audience_id: audience.audience_id,
      product_ids: ['prod_1'],
      daily_budget: 23.99,
      currency: 'BRL',
      created: true,
    });
    expect((await ads.getCampaign(out.campaign_id))?.kind).toBe('cart_recovery');
  });

  it('launches one campaign when the same step runs again (redelivery or retry)', async () => {
    const { ads, squad } = await setup();
    const ctx = fakeContext();
    const first = (await run(squad, 'launch_lead_nurture_campaign', { segment: 'hot' }, ctx)) as { campaign_id: string };
    const again = await run(
      squad,
      'launch_lead_nurture_campaign',
      { segment: 'hot' },
      fakeContext({ executionId: ctx.executionId, step: ctx.step, attempt: 2 }),
    );

    expect(again).toMatchObject({ campaign_id: first.campaign_id, created: false, daily_budget: 30 });
    expect(await ads.listCampaigns()).toHaveLength(1);
  });

  it('refuses to launch at a deleted or unknown audience, non-retryably', async () => {
    const { squad, googleAds } = await setup();
    const audience = (await run(googleAds, 'create_lead_audience', { phone: '+5511888888888' })) as { audience_id: string };
    await run(googleAds, 'delete_audience', { audience_id: audience.audience_id });

    await expect(run(squad, 'launch_lead_nurture_campaign', { audience_id: audience.audience_id })).rejects.toMatchObject({
      code: 'UNKNOWN_AUDIENCE',
      message: expect.stringContaining('deleted'),
    });
    await expect(run(squad, 'launch_lead_nurture_campaign', { audience_id: 'aud_nope' })).rejects.toMatchObject({
      code: 'UNKNOWN_AUDIENCE',
    });
  });

  it('stops a launched campaign from the default compensation input, and says not_found for an unknown one', async () => {
    const { ads, squad } = await setup();
    const launched = await run(squad, 'launch_cart_recovery_campaign', cart);
    const stopped = await run(squad, 'stop_campaign', { context: cart, output: launched }, fakeContext({ compensation: true }));

    expect(stopped).toMatchObject({ status: 'stopped', previous_status: 'active' });
    expect((await ads.getCampaign((launched as { campaign_id: string }).campaign_id))?.status).toBe('stopped');
    expect(await run(squad, 'stop_campaign', { campaign_id: 'cmp_nope' })).toEqual({
      campaign_id: 'cmp_nope',
      status: 'not_found',
      previous_status: null,
      simulated: true,
    });
  });

  it('derives budgets: 5% of the cart between R$ 5 and R$ 50, and by lead segment', () => {
    expect([cartRecoveryBudget(20), cartRecoveryBudget(479.7), cartRecoveryBudget(5000), cartRecoveryBudget(undefined)]).toEqual([
      5, 23.99, 50, 10,
    ]);
    expect([leadNurtureBudget('hot'), leadNurtureBudget('warm'), leadNurtureBudget('cold'), leadNurtureBudget(undefined)]).toEqual([
      30, 15, 5, 10,
    ]);
  });

  it('answers a step command through startSquad', async () => {
    const { transport: t, prefix, squad } = await setup();
    const reply = await runThroughSquad(t, prefix, squad, 'launch_lead_nurture_campaign', { segment: 'warm', name: 'Maria Santos' });

    expect(reply).toMatchObject({ ok: true, output: { status: 'active', daily_budget: 15, audience_id: null } });
  });
});
