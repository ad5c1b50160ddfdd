import type { Transport } from '@squadflow/transport';
import { compileExpression, type ExpressionScope } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeedSquads, listWhatsAppOutbox } from '../../src/catalog/index.ts';
import type { SquadDefinition } from '../../src/define-squad.ts';
import { fakeContext, memory, run } from './support.ts';

/**
 * The seed workflows' steps wired with the JSONata input mappings the
 * catalog README documents, run in order with the shared expression
 * evaluator: proves each step's output fits the next step's input.
 */
interface Step {
  name: string;
  squad: string;
  action: string;
  input?: string | Record<string, string>;
  condition?: string;
}

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

async function execute(defs: SquadDefinition[], context: Record<string, unknown>, steps: Step[]): Promise<Record<string, unknown>> {
  const scope: ExpressionScope = { context, steps: {}, execution: { id: 'exec-wiring', workflow: 'wiring' } };
  for (const step of steps) {
    if (step.condition && !(await compileExpression(step.condition).evaluate(scope))) continue;
    let input: unknown = context;
    if (typeof step.input === 'string') input = await compileExpression(step.input).evaluate(scope);
    else if (step.input) {
      const entries = await Promise.all(
        Object.entries(step.input).map(async ([k, e]) => [k, await compileExpression(e).evaluate(scope)] as const),
      );
      input = Object.fromEntries(entries.filter(([, v]) => v !== undefined));
    }
    const def = defs.find((d) => d.name === step.squad)!;
    scope.steps[step.name] = await run(def, step.action, input, fakeContext({ executionId: 'exec-wiring', step: step.name }));
  }
  return scope.steps;
}

async function setup(): Promise<{ defs: SquadDefinition[]; transport: Transport; prefix: string }> {
  const m = memory();
  transport = m.transport;
  return { ...m, defs: await createSeedSquads({ transport: m.transport, prefix: m.prefix, env: {} }) };
}

describe('seed workflow wiring', () => {
  it('runs abandoned_cart_recovery from its seed context', async () => {
    const { defs, transport: t, prefix } = await setup();
    const context = {
      customer_phone: '+5511999999999',
      customer_name: 'João Silva',
      abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100.0 }],
      cart_value: 479.7,
    };
    const steps = await execute(defs, context, [
      { name: 'check_inventory', squad: 'inventory', action: 'check_stock', input: { items: 'abandoned_items' } },
      {
        name: 'send_whatsapp_reminder',
        squad: 'whatsapp',
        action: 'send_abandoned_cart_message',
        condition: '$steps.check_inventory.available',
      },
      { name: 'create_google_ads_audience', squad: 'google_ads', action: 'create_cart_abandoner_audience' },
      {
        name: 'launch_retargeting_campaign',
        squad: 'traffic',
        action: 'launch_cart_recovery_campaign',
        input: "$merge([$, { 'audience_id': $steps.create_google_ads_audience.audience_id }])",
      },
    ]);

    expect(steps['launch_retargeting_campaign']).toMatchObject({
      audience_id: (steps['create_google_ads_audience'] as { audience_id: string }).audience_id,
      product_ids: ['prod_1'],
    });
    expect(await listWhatsAppOutbox(t, prefix, { phone: context.customer_phone })).toHaveLength(1);
  });

  it('runs stock_emergency from its seed context, alerting the top supplier', async () => {
    const { defs } = await setup();
    const steps = await execute(defs, { product_id: 'prod_123', stock_level: 3, min_threshold: 10 }, [
      { name: 'analyze_stock_situation', squad: 'inventory', action: 'analyze_critical_stock' },
      {
        name: 'pause_google_ads',
        squad: 'google_ads',
        action: 'pause_product_campaigns',
        condition: '$steps.analyze_stock_situation.critical',
      },
      {
        name: 'notify_lead_scraper',
        squad: 'lead_scraper',
        action: 'prioritize_supplier_contacts',
        input: '$steps.analyze_stock_situation',
      },
      {
        name: 'send_whatsapp_alert',
        squad: 'whatsapp',
        action: 'send_stock_alert',
        input: "$merge([$steps.analyze_stock_situation, { 'to': $steps.notify_lead_scraper.top_contact.phone }])",
      },
    ]);

    expect(steps['pause_google_ads']).toMatchObject({ paused_count: 2 });
    expect(steps['send_whatsapp_alert']).toMatchObject({ to: '5551988882002' });
  });

  it('runs new_lead_nurture from its seed context', async () => {
    const { defs } = await setup();
    const context = { lead_data: { name: 'Maria Santos', phone: '+5511888888888', email: 'maria@example.com', source: 'Facebook Ads' } };
    const withSegment = "$merge([lead_data, { 'segment': $steps.qualify_lead.segment }])";
    const steps = await execute(defs, context, [
      { name: 'qualify_lead', squad: 'lead_scraper', action: 'qualify_new_lead', input: 'lead_data' },
      { name: 'send_welcome_whatsapp', squad: 'whatsapp', action: 'send_welcome_message', input: withSegment },
      { name: 'create_lead_audience', squad: 'google_ads', action: 'create_lead_audience', input: withSegment },
      {
        name: 'launch_lead_nurture_campaign',
        squad: 'traffic',
        action: 'launch_lead_nurture_campaign',
        input: { audience_id: '$steps.create_lead_audience.audience_id', segment: '$steps.qualify_lead.segment', name: 'lead_data.name' },
      },
      { name: 'schedule_followup', squad: 'whatsapp', action: 'schedule_followup_message', input: 'lead_data' },
    ]);

    expect(steps['create_lead_audience']).toMatchObject({ segment: 'hot', size: 1 });
    expect(steps['launch_lead_nurture_campaign']).toMatchObject({ daily_budget: 30, status: 'active' });
    expect(steps['schedule_followup']).toMatchObject({ to: '5511888888888' });
  });

  it("runs seed 004's conversation actions from the conversation context", async () => {
    const { defs } = await setup();
    const steps = await execute(defs, { phone_number: '+5511999999999', name: 'Ana', message: { text: 'Oi, quanto custa?' } }, [
      { name: 'activation', squad: 'whatsapp', action: 'send_template' },
      { name: 'process_lead_message', squad: 'whatsapp', action: 'answer_message' },
      { name: 'send_reminder_message', squad: 'whatsapp', action: 'send_reminder_message' },
    ]);

    expect(steps['process_lead_message']).toMatchObject({ intent: 'pricing', handoff: false });
    expect(steps['send_reminder_message']).toMatchObject({ to: '5511999999999' });
  });
});
