/**
 * The PostgreSQL inventory adapter against the local server
 * (127.0.0.1:5432, trust auth): each test gets its own schema, dropped after.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createInventorySquad,
  createSeedSquads,
  dataFile,
  openPostgresInventoryStore,
  readInventoryEnv,
  selectInventoryStore,
  type PostgresInventoryStore,
} from '../../src/catalog/index.ts';
import { memory, run, runThroughSquad, testPrefix } from './support.ts';

const DATABASE_URL = process.env['SQUADFLOW_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A unique schema, dropped after the test; the env that points the adapter at it. */
function uniqueSchema(): { schema: string; env: Record<string, string> } {
  const schema = `sqf_inv_${testPrefix()}`;
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  return { schema, env: { INVENTORY_DATABASE_URL: DATABASE_URL, INVENTORY_DB_SCHEMA: schema, INVENTORY_DB_TABLE: 'products' } };
}

async function open(seed = true): Promise<{ store: PostgresInventoryStore; schema: string }> {
  const { schema, env } = uniqueSchema();
  const config = readInventoryEnv({ ...env, ...(seed ? { INVENTORY_SEED_FILE: dataFile('inventory.json') } : {}) })!;
  const store = await openPostgresInventoryStore(config);
  cleanups.push(() => store.close());
  return { store, schema };
}

describe('PostgreSQL inventory', () => {
  it('creates its table, loads the seed file once and keeps levels changed since', async () => {
    const { store, schema } = await open();
    expect(await store.get('prod_123')).toMatchObject({ name: 'Tênis Runner Pro', stock_level: 3, min_threshold: 10, daily_sales: 2.5 });
    expect((await store.list()).length).toBeGreaterThan(3);

    const changed = await store.setLevel('prod_123', 25);
    expect(changed).toMatchObject({ stock_level: 25 });
    expect(changed!.updated_at).toBeGreaterThan(Date.now() - 60_000);
    // A second open (a replica, a restart) migrates again and seeds again: both are no-ops.
    const again = await openPostgresInventoryStore(
      readInventoryEnv({ INVENTORY_DATABASE_URL: DATABASE_URL, INVENTORY_DB_SCHEMA: schema, INVENTORY_DB_TABLE: 'products' })!,
    );
    cleanups.push(() => again.close());
    expect(await again.seed([{ id: 'prod_123', name: 'x', stock_level: 0, min_threshold: 0, daily_sales: 0 }])).toBe(0);
    expect(await again.get('prod_123')).toMatchObject({ stock_level: 25 });
    expect(await store.setLevel('nope', 1)).toBeNull();
    expect(await store.get('nope')).toBeNull();
  });

  it('answers check_stock and analyze_critical_stock from the table, saying simulated: false', async () => {
    const { store } = await open();
    const squad = createInventorySquad({ store });
    expect(squad.description).toBe('Stock levels and stock health of the products');

    expect(await run(squad, 'check_stock', { items: [{ id: 'prod_1' }, { id: 'prod_123', quantity: 5 }, { id: 'nope' }] })).toMatchObject({
      available: false,
      unavailable_ids: ['prod_123', 'nope'],
      items: [{ id: 'prod_1', known: true, in_stock: true }, { quantity: 3, requested: 5 }, { known: false }],
      simulated: false,
    });
    expect(await run(squad, 'analyze_critical_stock', { product_id: 'prod_123' })).toMatchObject({
      critical: true,
      severity: 'critical',
      product_name: 'Tênis Runner Pro',
      reorder_quantity: 42,
      simulated: false,
    });
  });

  it('reports a missing table non-retryably through the squad runtime, naming the SQLSTATE', async () => {
    const { store, schema } = await open(false);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP TABLE "${schema}"."products"`);
    await client.end();
    const m = memory();
    cleanups.push(() => m.transport.close());

    const reply = await runThroughSquad(m.transport, m.prefix, createInventorySquad({ store }), 'check_stock', {
      items: [{ id: 'prod_1' }],
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVENTORY_DB_42P01', retryable: false } });
  });

  it('is chosen when INVENTORY_DATABASE_URL is set; the KV simulation otherwise, and outputs say which', async () => {
    const { env } = uniqueSchema();
    const m = memory();
    cleanups.push(() => m.transport.close());
    const real = await selectInventoryStore(m.transport, m.prefix, env, false);
    cleanups.push(() => real.close());
    const simulated = await selectInventoryStore(m.transport, m.prefix, { INVENTORY_DATABASE_URL: '' });
    expect([real.store.simulated, simulated.store.simulated]).toEqual([false, true]);

    const [squad] = await createSeedSquads({ transport: m.transport, prefix: m.prefix, env: {}, only: ['inventory'] });
    expect(await run(squad!, 'check_stock', { items: [{ id: 'prod_1' }] })).toMatchObject({ available: true, simulated: true });
    expect(squad!.description).toContain('simulated');
  });

  it('rejects a bad configuration naming the variables, never the URL', () => {
    let error: unknown;
    try {
      readInventoryEnv({ INVENTORY_DATABASE_URL: 'mysql://root:hunter2@db/shop', INVENTORY_DB_TABLE: 'Products; DROP' });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
    expect((error as { issues: Array<{ path: string }> }).issues.map((i) => i.path).sort()).toEqual([
      'INVENTORY_DATABASE_URL',
      'INVENTORY_DB_TABLE',
    ]);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(readInventoryEnv({})).toBeNull();
  });
});
