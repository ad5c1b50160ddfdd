import { MAX_LEAD_HISTORY } from '@squadflow/shared';
import { ManualClock, type Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { createWhatsAppSquad, openLeadStore, openOutboxClient } from '../../src/catalog/index.ts';
import { fakeContext, memory, run } from './support.ts';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

async function setup() {
  const clock = new ManualClock(1_700_000_000_000);
  const m = memory(clock);
  transport = m.transport;
  const leads = await openLeadStore(m.transport, m.prefix);
  const squad = createWhatsAppSquad({ client: await openOutboxClient(m.transport, m.prefix), leads });
  return { clock, leads, squad };
}

describe("seed 004's lead store", () => {
  it('records each status change with its time, execution and step, once per execution, step and status', async () => {
    const { clock, leads, squad } = await setup();
    const saved = fakeContext({ executionId: 'ex_act', step: 'save_lead' });
    await run(squad, 'record_lead_status', { phone_number: '+55 11 98765-4321', status: 'new', name: 'Ana' }, saved);
    await run(squad, 'record_lead_status', { phone_number: '5511987654321', status: 'new' }, saved); // a redelivery
    await clock.advance(60_000);
    const out = await run(
      squad,
      'record_lead_status',
      { phone_number: '5511987654321', status: 'activated', note: 'button: ATIVAR_PERFIL' },
      fakeContext({ executionId: 'ex_conv', step: 'record_lead_message' }),
    );
    expect(out).toEqual({ phone: '5511987654321', status: 'activated', changes: 2 });
    expect(await leads.get('+55 (11) 98765-4321')).toEqual({
      phone: '5511987654321',
      name: 'Ana',
      status: 'activated',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_060_000,
      history: [
        { status: 'new', at: 1_700_000_000_000, executionId: 'ex_act', step: 'save_lead' },
        { status: 'activated', at: 1_700_000_060_000, executionId: 'ex_conv', step: 'record_lead_message', note: 'button: ATIVAR_PERFIL' },
      ],
    });
  });

  it('keeps every change of concurrent writers, and at most the newest MAX_LEAD_HISTORY', async () => {
    const { leads } = await setup();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => leads.record({ phone: '5511987654321', status: 'conversing', executionId: `ex_${i}` })),
    );
    expect((await leads.get('5511987654321'))!.history.map((h) => h.executionId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `ex_${i}`).sort(),
    );
    for (let i = 10; i < MAX_LEAD_HISTORY + 5; i++)
      await leads.record({ phone: '5511987654321', status: 'conversing', executionId: `ex_${i}` });
    const { history } = (await leads.get('5511987654321'))!;
    expect(history).toHaveLength(MAX_LEAD_HISTORY);
    expect(history.at(-1)!.executionId).toBe(`ex_${MAX_LEAD_HISTORY + 4}`);
  });

  it('refuses an unknown status naming the field, and fails without retrying when no store is configured', async () => {
    const { squad } = await setup();
    expect(() => squad.actions['record_lead_status']!.input!.parse({ phone_number: '5511987654321', status: 'bored' })).toThrow(/status/);
    const bare = createWhatsAppSquad({ client: await openOutboxClient(transport!, 'sqf') });
    await expect(run(bare, 'record_lead_status', { phone_number: '5511987654321', status: 'new' })).rejects.toMatchObject({
      name: 'NonRetryableError',
      code: 'LEADS_NOT_CONFIGURED',
    });
  });
});
