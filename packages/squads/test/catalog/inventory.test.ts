import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeStock, createInventorySquad, inventoryBucket, openInventoryStore } from '../../src/catalog/index.ts';
import { NonRetryableError } from '../../src/errors.ts';
import { memory, run, runThroughSquad } from './support.ts';
import type { Transport } from '@squadflow/transport';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

async function setup() {
  const m = memory();
  transport = m.transport;
  const store = await openInventoryStore(m.transport, m.prefix);
  return { ...m, store, squad: createInventorySquad({ store }) };
}

describe('inventory store', () => {
  it('loads the data file into <prefix>_inventory, including prod_123 and prod_1', async () => {
    const { transport: t, prefix, store } = await setup();
    const products = await store.list();

    expect(products.length).toBeGreaterThanOrEqual(12);
    expect(await store.get('prod_123')).toMatchObject({ stock_level: 3, min_threshold: 10 });
    expect(await store.get('prod_1')).toMatchObject({ name: 'Produto 1' });
    expect(await (await t.kv(inventoryBucket(prefix))).keys('product.*')).toHaveLength(products.length);
  });

  it('keeps changed levels when the store is opened again (the seed only adds missing products)', async () => {
    const { transport: t, prefix, store } = await setup();
    await store.setLevel('prod_1', 7);

    const reopened = await openInventoryStore(t, prefix);

    expect((await reopened.get('prod_1'))?.stock_level).toBe(7);
  });

  it('rejects a data file with a bad field, naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inventory-'));
    const file = join(dir, 'inventory.json');
    await writeFile(file, JSON.stringify({ products: [{ id: 'x', name: 'X', stock_level: -1, min_threshold: 1, daily_sales: 0 }] }));
    const m = memory();
    transport = m.transport;

    await expect(openInventoryStore(m.transport, m.prefix, { dataFile: file })).rejects.toThrow(
      /inventory\.json.*products\.0\.stock_level/,
    );
  });
});

describe('check_stock', () => {
  it('reports available when every abandoned item is in stock, reading the levels from the store', async () => {
    const { squad } = await setup();
    const out = await run(squad, 'check_stock', { items: [{ id: 'prod_1', name: 'Produto 1', price: 100 }] });

    expect(out).toEqual({
      available: true,
      items: [{ id: 'prod_1', name: 'Produto 1', known: true, in_stock: true, quantity: 42, requested: 1 }],
      unavailable_ids: [],
      simulated: true,
    });
  });

  it('reports unavailable items: out of stock, short of the requested quantity, or unknown', async () => {
    const { squad } = await setup();
    const out = (await run(squad, 'check_stock', {
      items: [{ id: 'prod_1' }, { id: 'prod_3' }, { id: 'prod_123', quantity: 5 }, { id: 'nope' }],
    })) as { available: boolean; unavailable_ids: string[]; items: Array<{ known: boolean }> };

    expect(out.available).toBe(false);
    expect(out.unavailable_ids).toEqual(['prod_3', 'prod_123', 'nope']);
    expect(out.items[3]?.known).toBe(false);
  });

  it('sees a level change made through the store', async () => {
    const { squad, store } = await setup();
    await store.setLevel('prod_1', 0);

    expect(await run(squad, 'check_stock', { items: [{ id: 'prod_1' }] })).toMatchObject({ available: false });
  });

  it('answers a step command through startSquad with the check result', async () => {
    const { transport: t, prefix, squad } = await setup();
    const reply = await runThroughSquad(t, prefix, squad, 'check_stock', { items: [{ id: 'prod_123' }] });

    expect(reply).toMatchObject({ ok: true, output: { available: true, items: [{ id: 'prod_123', quantity: 3 }] } });
  });

  it('rejects an empty item list as invalid input through the runtime', async () => {
    const { transport: t, prefix, squad } = await setup();
    const reply = await runThroughSquad(t, prefix, squad, 'check_stock', { items: [] });

    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', retryable: false } });
  });
});

describe('analyze_critical_stock', () => {
  it('flags the seed stock_emergency context as critical, with days of cover and a reorder quantity', async () => {
    const { squad } = await setup();
    const out = await run(squad, 'analyze_critical_stock', { product_id: 'prod_123', stock_level: 3, min_threshold: 10 });

    expect(out).toEqual({
      critical: true,
      severity: 'critical',
      product_id: 'prod_123',
      product_name: 'Tênis Runner Pro',
      stock_level: 3,
      min_threshold: 10,
      daily_sales: 2.5,
      days_of_cover: 1.2,
      reorder_quantity: 42, // 10 + 2.5 × 14 − 3
      recommended_action: 'pause_ads_and_reorder',
      simulated: true,
    });
  });

  it('uses the stored level and threshold when the input gives only the product id', async () => {
    const { squad } = await setup();
    expect(await run(squad, 'analyze_critical_stock', { product_id: 'prod_500' })).toMatchObject({
      critical: false,
      severity: 'ok',
      stock_level: 200,
      reorder_quantity: 0,
      recommended_action: 'none',
    });
  });

  it('fails non-retryably for an unknown product without a reported level', async () => {
    const { squad } = await setup();
    const failure = run(squad, 'analyze_critical_stock', { product_id: 'ghost' });

    await expect(failure).rejects.toBeInstanceOf(NonRetryableError);
    await expect(failure).rejects.toMatchObject({ code: 'UNKNOWN_PRODUCT' });
  });

  it('classifies out of stock, low and no sales', () => {
    expect(analyzeStock({ stock_level: 0, min_threshold: 5, daily_sales: 1 })).toMatchObject({ severity: 'out_of_stock', critical: true });
    expect(analyzeStock({ stock_level: 15, min_threshold: 10, daily_sales: 1 })).toMatchObject({
      severity: 'low',
      critical: false,
      recommended_action: 'reorder',
      reorder_quantity: 9,
    });
    expect(analyzeStock({ stock_level: 4, min_threshold: 2, daily_sales: 0 }).days_of_cover).toBeNull();
  });

  it('answers a step command through startSquad', async () => {
    const { transport: t, prefix, squad } = await setup();
    const reply = await runThroughSquad(t, prefix, squad, 'analyze_critical_stock', {
      product_id: 'prod_123',
      stock_level: 3,
      min_threshold: 10,
    });

    expect(reply).toMatchObject({ ok: true, output: { critical: true, product_id: 'prod_123' } });
  });
});
