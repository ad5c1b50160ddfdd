import type { Transport } from '@squadflow/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { createLeadScraperSquad, loadSuppliers, prioritizeSuppliers, scoreLead, type Supplier } from '../../src/catalog/index.ts';
import { memory, run, runThroughSquad } from './support.ts';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

const maria = { name: 'Maria Santos', phone: '+5511888888888', email: 'maria@example.com', source: 'Facebook Ads' };

describe('lead scoring', () => {
  it('qualifies the seed lead as hot and explains the score', () => {
    expect(scoreLead(maria)).toEqual({
      qualified: true,
      score: 80,
      segment: 'hot',
      reasons: ['full name +10', 'phone +25', 'email +15', 'company email +10', 'source paid social +20'],
      phone: '5511888888888',
      email_domain: 'example.com',
    });
  });

  it('scores free and disposable emails lower and weighs the source', () => {
    expect(scoreLead({ ...maria, email: 'maria@gmail.com' }).score).toBe(70);
    expect(scoreLead({ ...maria, email: 'x@mailinator.com' })).toMatchObject({ score: 40, qualified: false, segment: 'cold' });
    expect(scoreLead({ ...maria, source: 'Indicação de cliente' }).score).toBe(90);
    expect(scoreLead({ ...maria, source: 'lista comprada' }).score).toBe(65);
  });

  it('does not qualify a lead that cannot be contacted, whatever its source', () => {
    expect(scoreLead({ name: 'Ana Lima', source: 'referral', phone: 'n/a' })).toMatchObject({
      qualified: false,
      phone: null,
      email_domain: null,
    });
  });
});

describe('supplier prioritisation', () => {
  it('puts the fastest supplier first when stock is urgent and the most reliable first otherwise', async () => {
    const suppliers = await loadSuppliers();
    const urgent = prioritizeSuppliers(suppliers, 'prod_123', true).map((c) => c.supplier_id);
    const calm = prioritizeSuppliers(suppliers, 'prod_123', false).map((c) => c.supplier_id);

    expect(urgent).toEqual(['sup_sul_shoes', 'sup_calcados_sp', 'sup_atacado_geral']);
    expect(calm).toEqual(['sup_calcados_sp', 'sup_sul_shoes', 'sup_atacado_geral']);
  });

  it('falls back to generalist distributors for a product no specialist lists', () => {
    const suppliers: Supplier[] = [
      {
        id: 'a',
        name: 'A',
        contact_name: 'A',
        phone: '+5511900000001',
        email: 'a@a.com',
        product_ids: ['other'],
        lead_time_days: 1,
        reliability: 1,
      },
      {
        id: 'g',
        name: 'G',
        contact_name: 'G',
        phone: '+5511900000002',
        email: 'g@g.com',
        product_ids: ['*'],
        lead_time_days: 5,
        reliability: 0.5,
      },
    ];
    expect(prioritizeSuppliers(suppliers, 'prod_x', true).map((c) => c.supplier_id)).toEqual(['g']);
  });
});

describe('lead_scraper squad', () => {
  it('qualifies lead_data given as the step input', async () => {
    const squad = createLeadScraperSquad({ suppliers: [] });
    expect(await run(squad, 'qualify_new_lead', maria)).toMatchObject({ qualified: true, score: 80, segment: 'hot' });
  });

  it('prioritises supplier contacts from the stock_emergency context, urgent below the threshold, with a top contact', async () => {
    const squad = createLeadScraperSquad({ suppliers: await loadSuppliers() });
    const out = await run(squad, 'prioritize_supplier_contacts', { product_id: 'prod_123', stock_level: 3, min_threshold: 10, limit: 2 });

    expect(out).toMatchObject({
      product_id: 'prod_123',
      urgent: true,
      count: 2,
      top_contact: { supplier_id: 'sup_sul_shoes', phone: '+55 51 98888-2002', priority: 1 },
    });
    expect(await run(squad, 'prioritize_supplier_contacts', { product_id: 'prod_123', critical: false })).toMatchObject({
      urgent: false,
      top_contact: { supplier_id: 'sup_calcados_sp' },
    });
  });

  it('returns no contacts and a null top contact when nobody supplies the product', async () => {
    const squad = createLeadScraperSquad({ suppliers: [] });
    expect(await run(squad, 'prioritize_supplier_contacts', { product_id: 'prod_123' })).toEqual({
      product_id: 'prod_123',
      urgent: false,
      contacts: [],
      top_contact: null,
      count: 0,
    });
  });

  it('answers a step command through startSquad', async () => {
    const m = memory();
    transport = m.transport;
    const squad = createLeadScraperSquad({ suppliers: await loadSuppliers() });
    const reply = await runThroughSquad(m.transport, m.prefix, squad, 'qualify_new_lead', maria);

    expect(reply).toMatchObject({ ok: true, output: { qualified: true, segment: 'hot' } });
  });
});
