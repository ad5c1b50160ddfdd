import pg from 'pg';
import { NonRetryableError } from '../../errors.ts';
import { readDataFile } from '../common/data-file.ts';
import type { PostgresInventoryConfig } from './env.ts';
import { InventoryFileSchema, ProductStockSchema, type InventoryStore, type ProductStock } from './store.ts';

/** Connections per squad process: the squad's handlers hold one only for a single statement. */
const POOL_SIZE = 4;
/** Any number: the migration of every replica takes this transaction lock, so two never race on CREATE TABLE. */
const MIGRATION_LOCK = 72_401_583;

const COLUMNS = `id, name, category, unit_price::float8 AS unit_price, stock_level, min_threshold, daily_sales,
  (extract(epoch FROM updated_at) * 1000)::float8 AS updated_at`;

/**
 * The inventory port over a PostgreSQL table (`simulated: false`): one row
 * per product with its stock level and threshold. {@link migrate} creates
 * the schema and table when missing; the queries are the ones the KV
 * simulation answers. Call {@link close} to end the pool.
 */
export class PostgresInventoryStore implements InventoryStore {
  readonly simulated = false;
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: Pick<PostgresInventoryConfig, 'schema' | 'table'>,
  ) {
    // Both names passed the identifier check of the environment schema; quoted anyway.
    this.table = `"${config.schema}"."${config.table}"`;
  }

  /** Creates the schema and table when missing (idempotent; replicas starting together wait on one advisory lock). */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.config.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        name text NOT NULL,
        category text,
        unit_price numeric(14, 2) CHECK (unit_price >= 0),
        stock_level integer NOT NULL CHECK (stock_level >= 0),
        min_threshold integer NOT NULL CHECK (min_threshold >= 0),
        daily_sales double precision NOT NULL DEFAULT 0 CHECK (daily_sales >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw toInventoryError(err);
    } finally {
      client.release();
    }
  }

  async get(productId: string): Promise<ProductStock | null> {
    const rows = await this.query(`SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1`, [productId]);
    return rows[0] ? toProduct(rows[0]) : null;
  }

  async list(): Promise<ProductStock[]> {
    return (await this.query(`SELECT ${COLUMNS} FROM ${this.table}`)).map(toProduct);
  }

  async setLevel(productId: string, stockLevel: number): Promise<ProductStock | null> {
    const level = ProductStockSchema.shape.stock_level.parse(stockLevel);
    const rows = await this.query(`UPDATE ${this.table} SET stock_level = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [
      productId,
      level,
    ]);
    return rows[0] ? toProduct(rows[0]) : null;
  }

  async seed(products: readonly ProductStock[]): Promise<number> {
    let added = 0;
    for (const p of products) {
      // Insert-if-missing: restarts and replicas never reset a level the shop changed since.
      const rows = await this.query(
        `INSERT INTO ${this.table} (id, name, category, unit_price, stock_level, min_threshold, daily_sales)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [p.id, p.name, p.category ?? null, p.unit_price ?? null, p.stock_level, p.min_threshold, p.daily_sales],
      );
      added += rows.length;
    }
    return added;
  }

  /** Ends the pool's connections. */
  close(): Promise<void> {
    return this.pool.end();
  }

  private async query(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    try {
      return (await this.pool.query(text, values)).rows as Record<string, unknown>[];
    } catch (err) {
      throw toInventoryError(err);
    }
  }
}

function toProduct(row: Record<string, unknown>): ProductStock {
  const { category, unit_price, ...rest } = row;
  return ProductStockSchema.parse({
    ...rest,
    ...(category === null ? {} : { category }),
    ...(unit_price === null ? {} : { unit_price }),
  });
}

/**
 * SQLSTATE classes another attempt may not hit: connection (08), operator
 * intervention such as a restart (57), insufficient resources (53),
 * serialization failure and deadlock (40). Everything else (a missing
 * table, a bad value, a permission) fails the step for good.
 */
const RETRYABLE_CLASSES = new Set(['08', '40', '53', '57']);

function toInventoryError(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  // Errors without a SQLSTATE are the socket's (ECONNREFUSED...): retryable as they are.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || RETRYABLE_CLASSES.has(code.slice(0, 2))) return err as Error;
  return new NonRetryableError(`inventory database: ${(err as Error).message}`, { code: `INVENTORY_DB_${code}`, cause: err });
}

/** Connects to PostgreSQL, runs the migration and the optional seed; the caller closes the store. */
export async function openPostgresInventoryStore(config: PostgresInventoryConfig): Promise<PostgresInventoryStore> {
  const pool = new pg.Pool({ connectionString: config.connectionString, max: POOL_SIZE, allowExitOnIdle: true });
  // An idle client losing its connection emits 'error' on the pool; unhandled it would end the process.
  // The next query takes a fresh connection and reports a failure there.
  pool.on('error', () => undefined);
  const store = new PostgresInventoryStore(pool, config);
  try {
    await store.migrate();
    if (config.seedFile) await store.seed((await readDataFile(config.seedFile, InventoryFileSchema)).products);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
