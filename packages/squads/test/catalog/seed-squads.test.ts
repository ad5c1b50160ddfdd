import type { Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeedSquads, listWhatsAppOutbox, SEED_SQUAD_NAMES } from '../../src/catalog/index.ts';
import type { SquadDefinition } from '../../src/define-squad.ts';
import { GraphApiStub } from './graph-api-stub.ts';
import { memory, run } from './support.ts';

let transport: Transport | undefined;
let stub: GraphApiStub | undefined;
afterEach(async () => {
  await transport?.close();
  await stub?.stop();
  transport = undefined;
  stub = undefined;
});

/** Every action the seeds name (000 and 004), by squad. */
const SEED_ACTIONS: Record<string, string[]> = {
  inventory: ['check_stock', 'analyze_critical_stock'],
  whatsapp: [
    'send_abandoned_cart_message',
    'send_welcome_message',
    'send_stock_alert',
    'schedule_followup_message',
    'send_template',
    'answer_message',
    'send_reminder_message',
  ],
  traffic: ['launch_cart_recovery_campaign', 'launch_lead_nurture_campaign'],
  lead_scraper: ['qualify_new_lead', 'prioritize_supplier_contacts'],
  google_ads: ['create_cart_abandoner_audience', 'create_lead_audience', 'pause_product_campaigns'],
};

async function squads(env: Record<string, string | undefined> = {}): Promise<SquadDefinition[]> {
  const m = memory();
  transport = m.transport;
  return createSeedSquads({ transport: m.transport, prefix: m.prefix, env });
}

const byName = (defs: SquadDefinition[], name: string): SquadDefinition => defs.find((d) => d.name === name)!;

describe('createSeedSquads', () => {
  it('returns the five seed squads in SEED_SQUAD_NAMES order, each offering every action the seeds name', async () => {
    const defs = await squads();

    expect(defs.map((d) => d.name)).toEqual([...SEED_SQUAD_NAMES]);
    for (const [squad, actions] of Object.entries(SEED_ACTIONS)) {
      expect(Object.keys(byName(defs, squad).actions)).toEqual(expect.arrayContaining(actions));
    }
  });

  it('gives every action an input schema, an output schema and a description', async () => {
    const missing = (await squads()).flatMap((def) =>
      Object.entries(def.actions)
        .filter(([, a]) => !a.input || !a.output || !a.description)
        .map(([name]) => `${def.name}.${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('pairs the creating actions with their undo actions', async () => {
    const defs = await squads();
    const compensations = Object.fromEntries(
      defs.flatMap((def) =>
        Object.entries(def.actions)
          .filter(([, a]) => a.compensate)
          .map(([name, a]) => [`${def.name}.${name}`, a.compensate]),
      ),
    );
    expect(compensations).toEqual({
      'traffic.launch_cart_recovery_campaign': 'stop_campaign',
      'traffic.launch_lead_nurture_campaign': 'stop_campaign',
      'google_ads.create_cart_abandoner_audience': 'delete_audience',
      'google_ads.create_lead_audience': 'delete_audience',
      'google_ads.pause_product_campaigns': 'resume_product_campaigns',
    });
  });

  it('records WhatsApp messages in the KV outbox when no Cloud API credentials are set', async () => {
    const m = memory();
    transport = m.transport;
    const defs = await createSeedSquads({ transport: m.transport, prefix: m.prefix, env: { WHATSAPP_TOKEN: '' } });
    await run(byName(defs, 'whatsapp'), 'send_template', { phone_number: '+5511999999999' });

    expect(await listWhatsAppOutbox(m.transport, m.prefix)).toMatchObject([{ type: 'template', to: '5511999999999' }]);
  });

  it('sends through the Cloud API when WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are set', async () => {
    stub = await new GraphApiStub().start();
    const m = memory();
    transport = m.transport;
    const env = { WHATSAPP_TOKEN: 'tok', WHATSAPP_PHONE_NUMBER_ID: '42', WHATSAPP_API_BASE_URL: stub.baseUrl };
    const defs = await createSeedSquads({ transport: m.transport, prefix: m.prefix, env });
    const out = await run(byName(defs, 'whatsapp'), 'send_template', { phone_number: '+5511999999999' });

    expect(out).toMatchObject({ channel: 'cloud_api', message_id: 'wamid.X1' });
    expect(stub.requests.map((r) => r.path)).toEqual(['/v21.0/42/messages']);
    expect(await listWhatsAppOutbox(m.transport, m.prefix)).toEqual([]);
  });

  it('fails startup naming the missing variable when only one Cloud API credential is set', async () => {
    await expect(squads({ WHATSAPP_TOKEN: 'tok' })).rejects.toThrow(/WHATSAPP_PHONE_NUMBER_ID: required/);
  });

  it('uses WHATSAPP_ALERT_PHONE for stock alerts without a recipient, and names it when invalid', async () => {
    const defs = await squads({ WHATSAPP_ALERT_PHONE: '+55 11 90000-0000' });
    const out = await run(byName(defs, 'whatsapp'), 'send_stock_alert', { product_id: 'prod_123', stock_level: 3 });

    expect(out).toMatchObject({ to: '5511900000000' });
    await expect(squads({ WHATSAPP_ALERT_PHONE: 'the team' })).rejects.toThrow(/WHATSAPP_ALERT_PHONE/);
  });

  it('chains the stock_emergency steps: analysis, pause, supplier ranking, alert to the top supplier', async () => {
    const defs = await squads();
    const context = { product_id: 'prod_123', stock_level: 3, min_threshold: 10 };
    const analysis = (await run(byName(defs, 'inventory'), 'analyze_critical_stock', context)) as Record<string, unknown>;
    const paused = await run(byName(defs, 'google_ads'), 'pause_product_campaigns', context);
    const ranking = (await run(byName(defs, 'lead_scraper'), 'prioritize_supplier_contacts', analysis)) as {
      top_contact: { phone: string };
    };
    const alert = await run(byName(defs, 'whatsapp'), 'send_stock_alert', { ...analysis, to: ranking.top_contact.phone });

    expect(analysis).toMatchObject({ critical: true });
    expect(paused).toMatchObject({ paused_count: 2 });
    expect(alert).toMatchObject({ to: '5551988882002', channel: 'outbox' });
  });
});
