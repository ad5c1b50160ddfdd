/**
 * Seed workflows with the inventory squad on PostgreSQL (the local server,
 * a schema of the test's own, dropped after) and the other ports simulated:
 * each step's output says which it was.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionView } from '@squadflow/engine';
import { createAgencySquad, dataFile, openSeedSquads, seedWorkflows, triggerPublisher, type SeedSquads } from '@squadflow/squads/catalog';
import { TestEnvironment } from '../src/index.ts';

const DATABASE_URL = process.env['SQUADFLOW_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let env: TestEnvironment | undefined;
let seed: SeedSquads | undefined;
let schema: string | undefined;
afterEach(async () => {
  await env?.close();
  await seed?.close();
  if (schema) {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  env = seed = schema = undefined;
});

async function environment(): Promise<TestEnvironment> {
  schema = `sqf_wf_${Math.random().toString(36).slice(2, 10)}`;
  const variables = {
    INVENTORY_DATABASE_URL: DATABASE_URL,
    INVENTORY_DB_SCHEMA: schema,
    INVENTORY_SEED_FILE: dataFile('inventory.json'),
  };
  env = await TestEnvironment.create({
    squads: async (transport, prefix) => {
      seed = await openSeedSquads({ transport, prefix, env: variables });
      return [...seed.squads, createAgencySquad({ starter: triggerPublisher(transport, prefix) })];
    },
    workflows: seedWorkflows(),
  });
  return env;
}

const output = (view: ExecutionView, name: string) => view.steps.find((s) => s.name === name)!.output;

describe('seed workflows on a PostgreSQL inventory', () => {
  it('abandoned_cart_recovery checks the stock in PostgreSQL; the ads steps say they are simulated', async () => {
    const e = await environment();
    const id = await e.client.trigger('abandoned_cart_recovery', {
      customer_phone: '+5511999999999',
      customer_name: 'João Silva',
      abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100.0 }],
      cart_value: 479.7,
    });
    expect(seed!.integrations).toEqual([
      { port: 'inventory', simulated: false },
      { port: 'ads', simulated: true },
      { port: 'whatsapp', simulated: true },
    ]);
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(output(view, 'check_inventory')).toMatchObject({ available: true, items: [{ id: 'prod_1', quantity: 42 }], simulated: false });
    expect(output(view, 'create_google_ads_audience')).toMatchObject({ simulated: true });
    expect(output(view, 'launch_retargeting_campaign')).toMatchObject({ status: 'active', simulated: true });
  });

  it('stock_emergency reads the level stored in PostgreSQL when the event gives none', async () => {
    const e = await environment();
    const id = await e.client.trigger('stock_emergency', { product_id: 'prod_123' });
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(output(view, 'analyze_stock_situation')).toMatchObject({ critical: true, stock_level: 3, min_threshold: 10, simulated: false });
    expect(output(view, 'pause_google_ads')).toMatchObject({ paused_count: 2, simulated: true });
  });
});
