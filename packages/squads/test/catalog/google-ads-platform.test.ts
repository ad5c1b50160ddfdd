/**
 * The Google Ads adapter against a local stand-in that checks every request
 * (OAuth refresh-token grant, developer-token and login-customer-id headers,
 * the Customer Match upload and campaign operation bodies).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGoogleAdsSquad,
  createSeedSquads,
  createTrafficSquad,
  GoogleAdsTransientError,
  openGoogleAdsPlatform,
  readGoogleAdsEnv,
  selectAdsPlatform,
  type GoogleAdsPlatform,
} from '../../src/catalog/index.ts';
import { CREDENTIALS, CUSTOMER, GoogleAdsStub, adsError } from './google-ads-stub.ts';
import { fakeContext, memory, run, runThroughSquad } from './support.ts';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

let stub: GoogleAdsStub | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await stub?.stop();
  await transport?.close();
  stub = undefined;
  transport = undefined;
});

async function setup(options: { now?: () => number; dataFile?: string | false } = {}) {
  stub = await new GoogleAdsStub().start();
  const m = memory();
  transport = m.transport;
  const ads = await openGoogleAdsPlatform(m.transport, m.prefix, readGoogleAdsEnv(stub.env()), {
    dataFile: options.dataFile ?? false,
    ...(options.now ? { now: options.now } : {}),
  });
  return { ...m, stub, ads, googleAds: createGoogleAdsSquad({ ads }), traffic: createTrafficSquad({ ads }) };
}

const cart = {
  customer_phone: '+55 (11) 99999-9999',
  customer_name: 'João Silva',
  abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100 }],
  cart_value: 479.7,
};

describe('Google Ads adapter', () => {
  it('creates a Customer Match list and uploads the SHA-256 of the E.164 phone, with one token for every request', async () => {
    const { stub, googleAds } = await setup();
    const out = (await run(googleAds, 'create_cart_abandoner_audience', cart)) as { audience_id: string };

    expect(out).toMatchObject({ size: 1, created: true, simulated: false });
    expect(stub.tokenRequests).toHaveLength(1);
    expect(stub.tokenRequests[0]!.body).toEqual({
      grant_type: 'refresh_token',
      client_id: CREDENTIALS.GOOGLE_ADS_CLIENT_ID,
      client_secret: CREDENTIALS.GOOGLE_ADS_CLIENT_SECRET,
      refresh_token: CREDENTIALS.GOOGLE_ADS_REFRESH_TOKEN,
    });
    expect(stub.calls).toEqual([
      'googleAds:search',
      'userLists:mutate',
      'offlineUserDataJobs:create',
      'offlineUserDataJobs/2:addOperations',
      'offlineUserDataJobs/2:run',
    ]);
    for (const r of stub.apiRequests) {
      expect(r.headers).toMatchObject({
        authorization: 'Bearer ya29.token-1',
        'developer-token': CREDENTIALS.GOOGLE_ADS_DEVELOPER_TOKEN,
        'login-customer-id': '9876543210',
      });
    }
    const [search, list, job, add] = stub.apiRequests;
    const name = `Carrinho abandonado - João Silva (${out.audience_id})`;
    expect(search!.body).toEqual({ query: `SELECT user_list.resource_name FROM user_list WHERE user_list.name = '${name}' LIMIT 1` });
    expect(list!.body).toMatchObject({
      operations: [
        {
          create: {
            name,
            membershipStatus: 'OPEN',
            crmBasedUserList: { uploadKeyType: 'CONTACT_INFO', dataSourceType: 'FIRST_PARTY' },
          },
        },
      ],
    });
    expect(job!.body).toEqual({
      job: { type: 'CUSTOMER_MATCH_USER_LIST', customerMatchUserListMetadata: { userList: `customers/${CUSTOMER}/userLists/1` } },
    });
    expect(add!.body).toEqual({
      enablePartialFailure: true,
      operations: [{ create: { userIdentifiers: [{ hashedPhoneNumber: sha256('+5511999999999') }] } }],
    });
    expect(JSON.stringify(stub.apiRequests.map((r) => r.body))).not.toContain('99999-9999');
  });

  it('hashes a lead email trimmed, lower-cased and without Gmail dots, next to the phone', async () => {
    const { stub, googleAds } = await setup();
    await run(googleAds, 'create_lead_audience', { phone: '+55 11 98888-7777', email: '  Jo.Ao.Silva@GMail.com ', segment: 'hot' });

    const add = stub.apiRequests.find((r) => r.path.endsWith(':addOperations'))!;
    expect(add.body['operations']).toEqual([
      { create: { userIdentifiers: [{ hashedPhoneNumber: sha256('+5511988887777') }, { hashedEmail: sha256('joaosilva@gmail.com') }] } },
    ]);
  });

  it('finds the list an earlier attempt created instead of creating a second one', async () => {
    const { stub, googleAds } = await setup();
    stub.searchRows = (query) =>
      query.includes('FROM user_list') ? [{ userList: { resourceName: `customers/${CUSTOMER}/userLists/55` } }] : [];
    await run(googleAds, 'create_cart_abandoner_audience', cart);

    expect(stub.calls).not.toContain('userLists:mutate');
    const job = stub.apiRequests.find((r) => r.path.endsWith('offlineUserDataJobs:create'))!;
    expect(job.body).toMatchObject({ job: { customerMatchUserListMetadata: { userList: `customers/${CUSTOMER}/userLists/55` } } });
  });

  it('launches a Display campaign with its budget targeting the list, then stops it by removing it', async () => {
    const { stub, googleAds, traffic } = await setup();
    const audience = (await run(googleAds, 'create_cart_abandoner_audience', cart)) as { audience_id: string };
    const before = stub.apiRequests.length;
    const launched = (await run(traffic, 'launch_cart_recovery_campaign', { ...cart, audience_id: audience.audience_id })) as {
      campaign_id: string;
    };

    expect(launched).toMatchObject({ status: 'active', daily_budget: 23.99, simulated: false });
    const [, , budget, campaign, criterion] = stub.apiRequests.slice(before);
    expect(stub.calls.slice(before)).toEqual([
      'googleAds:search',
      'googleAds:search',
      'campaignBudgets:mutate',
      'campaigns:mutate',
      'campaignCriteria:mutate',
    ]);
    expect(budget!.body).toMatchObject({
      operations: [{ create: { amountMicros: '23990000', deliveryMethod: 'STANDARD', explicitlyShared: false } }],
    });
    expect(campaign!.body).toMatchObject({
      operations: [
        {
          create: {
            status: 'ENABLED',
            advertisingChannelType: 'DISPLAY',
            campaignBudget: `customers/${CUSTOMER}/campaignBudgets/4`,
            manualCpc: {},
            containsEuPoliticalAdvertising: 'DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING',
          },
        },
      ],
    });
    expect(criterion!.body).toEqual({
      operations: [
        { create: { campaign: `customers/${CUSTOMER}/campaigns/5`, userList: { userList: `customers/${CUSTOMER}/userLists/1` } } },
      ],
    });

    const stopped = await run(traffic, 'stop_campaign', { campaign_id: launched.campaign_id }, fakeContext({ compensation: true }));
    expect(stopped).toMatchObject({ status: 'stopped', previous_status: 'active', simulated: false });
    expect(stub.apiRequests.at(-1)!.body).toEqual({ operations: [{ remove: `customers/${CUSTOMER}/campaigns/5` }] });
    expect(stub.tokenRequests).toHaveLength(1);
  });

  it('pauses the live campaigns a campaigns file links to the product, and resumes them as compensation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sqf-ads-'));
    try {
      const file = join(dir, 'campaigns.json');
      await writeFile(
        file,
        JSON.stringify({
          campaigns: [
            {
              id: 'cmp_live',
              name: 'Shopping',
              kind: 'product',
              product_ids: ['prod_123'],
              daily_budget: 80,
              google_ads_campaign_id: '111',
            },
            { id: 'cmp_local_only', name: 'Search', kind: 'product', product_ids: ['prod_123'], daily_budget: 50 },
          ],
        }),
      );
      const { stub, googleAds, ads } = await setup({ dataFile: file });
      const paused = await run(googleAds, 'pause_product_campaigns', { product_id: 'prod_123' });

      expect(paused).toMatchObject({ paused_campaign_ids: ['cmp_live'], paused_count: 1, simulated: false });
      expect(await ads.getCampaign('cmp_local_only')).toBeNull();
      expect(stub.apiRequests.at(-1)!.body).toEqual({
        operations: [{ update: { resourceName: `customers/${CUSTOMER}/campaigns/111`, status: 'PAUSED' }, updateMask: 'status' }],
      });
      const resumed = await run(googleAds, 'resume_product_campaigns', { context: {}, output: paused });
      expect(resumed).toMatchObject({ resumed_campaign_ids: ['cmp_live'], simulated: false });
      expect(stub.apiRequests.at(-1)!.body).toMatchObject({ operations: [{ update: { status: 'ENABLED' } }] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 429 with a retryable error, and the retry creates the list once', async () => {
    const { stub, ads } = await setup();
    stub.failNext(429, adsError(429, 'RESOURCE_EXHAUSTED', { quotaError: 'RESOURCE_EXHAUSTED' }, 'Too many requests.'));
    const audience = { id: 'aud_x', name: 'Leads', kind: 'leads' as const, members: [{ email_sha256: sha256('a@b.co') }], product_ids: [] };

    const failure = await ads.createAudience(audience).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(GoogleAdsTransientError);
    expect(failure).toMatchObject({ code: 'GOOGLE_ADS_RATE_LIMITED', status: 429 });
    expect((failure as Error).message).toContain('quotaError=RESOURCE_EXHAUSTED');

    const retried = await ads.createAudience(audience);
    expect(retried.audience.remote_id).toBe(`customers/${CUSTOMER}/userLists/1`);
    expect(stub.calls.filter((c) => c === 'userLists:mutate')).toHaveLength(1);
  });

  it('reports a 429 through the squad runtime as retryable and a 400 as not, without a secret in the reply', async () => {
    const { stub, transport: t, prefix, googleAds } = await setup();
    stub.failNext(429, adsError(429, 'RESOURCE_EXHAUSTED', { quotaError: 'RESOURCE_EXHAUSTED' }, 'Too many requests.'));
    const rateLimited = await runThroughSquad(t, prefix, googleAds, 'create_cart_abandoner_audience', cart);
    expect(rateLimited).toMatchObject({ ok: false, error: { code: 'GOOGLE_ADS_RATE_LIMITED', retryable: true } });

    stub.failNext(400, adsError(400, 'INVALID_ARGUMENT', { userListError: 'NAME_ALREADY_USED' }, 'Name is already being used.'));
    const rejected = await runThroughSquad(t, prefix, googleAds, 'create_lead_audience', { email: 'x@y.com' });
    expect(rejected).toMatchObject({ ok: false, error: { code: 'GOOGLE_ADS_HTTP_400', retryable: false } });
    expect(JSON.stringify(rejected)).toContain('userListError=NAME_ALREADY_USED');
    for (const secret of Object.values(CREDENTIALS).slice(0, 4)) {
      expect(JSON.stringify([rateLimited, rejected])).not.toContain(secret);
    }
  });

  it('refreshes the access token once it expires, and once more when Google answers 401', async () => {
    let now = 1_000_000;
    const { stub, ads } = await setup({ now: () => now });
    stub.expiresIn = 3600;
    await ads.deleteAudience('aud_none');
    await ads.createAudience({ id: 'aud_1', name: 'A', kind: 'leads', members: [], product_ids: [] });
    expect(stub.tokenRequests).toHaveLength(1);
    // An audience without members is just the list: Google refuses an upload job without operations.
    expect(stub.calls).not.toContain('offlineUserDataJobs:create');

    now += 3600_000;
    await ads.createAudience({ id: 'aud_2', name: 'B', kind: 'leads', members: [], product_ids: [] });
    expect(stub.tokenRequests).toHaveLength(2);

    stub.failNext(401, { error: { code: 401, message: 'expired', status: 'UNAUTHENTICATED' } });
    await ads.createAudience({ id: 'aud_3', name: 'C', kind: 'leads', members: [], product_ids: [] });
    expect(stub.tokenRequests).toHaveLength(3);
    expect(stub.apiRequests.at(-1)!.headers['authorization']).toBe('Bearer ya29.token-3');
  });

  it('fails non-retryably when the refresh token is refused, naming the OAuth error', async () => {
    stub = await new GoogleAdsStub().start();
    const m = memory();
    transport = m.transport;
    const ads: GoogleAdsPlatform = await openGoogleAdsPlatform(
      m.transport,
      m.prefix,
      readGoogleAdsEnv({ ...stub.env(), GOOGLE_ADS_REFRESH_TOKEN: 'revoked' }),
      { dataFile: false },
    );
    const failure = ads.createAudience({ id: 'aud_1', name: 'A', kind: 'leads', members: [], product_ids: [] });
    await expect(failure).rejects.toMatchObject({ name: 'NonRetryableError', code: 'GOOGLE_ADS_HTTP_400' });
    await expect(failure).rejects.toThrow(/invalid_grant/);
  });
});

describe('Google Ads configuration', () => {
  it('is chosen when a GOOGLE_ADS_* credential is set, the simulation otherwise, and outputs say which', async () => {
    stub = await new GoogleAdsStub().start();
    const m = memory();
    transport = m.transport;
    expect((await selectAdsPlatform(m.transport, m.prefix, stub.env(), false)).simulated).toBe(false);
    expect((await selectAdsPlatform(m.transport, m.prefix, { GOOGLE_ADS_CUSTOMER_ID: '' }, false)).simulated).toBe(true);

    const defs = await createSeedSquads({ transport: m.transport, prefix: m.prefix, env: stub.env(), only: ['google_ads', 'traffic'] });
    expect(defs.map((d) => [d.name, d.description])).toEqual([
      ['traffic', 'Paid traffic campaigns (retargeting, nurture) on Google Ads'],
      ['google_ads', 'Retargeting audiences and product campaigns on Google Ads'],
    ]);
  });

  it('rejects a half configuration, naming each missing or bad variable and never a value', () => {
    let error: unknown;
    try {
      readGoogleAdsEnv({ GOOGLE_ADS_DEVELOPER_TOKEN: 'dev-token-secret', GOOGLE_ADS_CUSTOMER_ID: '12-34', GOOGLE_ADS_API_VERSION: '26' });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
    const paths = (error as { issues: Array<{ path: string }> }).issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      'GOOGLE_ADS_API_VERSION',
      'GOOGLE_ADS_CLIENT_ID',
      'GOOGLE_ADS_CLIENT_SECRET',
      'GOOGLE_ADS_CUSTOMER_ID',
      'GOOGLE_ADS_REFRESH_TOKEN',
    ]);
    expect(JSON.stringify(error)).not.toContain('dev-token-secret');
  });

  it('normalises the customer ids to digits and builds the versioned API URL', () => {
    const config = readGoogleAdsEnv({ ...CREDENTIALS, GOOGLE_ADS_API_BASE_URL: 'http://127.0.0.1:1/' });
    expect(config).toMatchObject({ customerId: CUSTOMER, loginCustomerId: '9876543210', apiUrl: 'http://127.0.0.1:1/v26' });
    expect(config.tokenUrl).toBe('https://oauth2.googleapis.com/token');
  });
});
