import type { Clock, KvStore, Transport } from '@squadflow/transport';
import { encodeToken, names } from '@squadflow/shared';
import { z } from 'zod';
import { dataFile, readDataFile } from '../common/data-file.ts';
import { CatalogRecords } from '../common/kv-records.ts';

/** One product's stock, as stored in KV and in `data/inventory.json`. */
export const ProductStockSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  category: z.string().optional(),
  unit_price: z.number().nonnegative().optional(),
  stock_level: z.number().int().nonnegative(),
  min_threshold: z.number().int().nonnegative(),
  /** Average units sold per day: drives days of cover and reorder quantities. */
  daily_sales: z.number().nonnegative(),
  updated_at: z.number().optional(),
});
export type ProductStock = z.output<typeof ProductStockSchema>;

/** The shape of `data/inventory.json`. */
export const InventoryFileSchema = z.object({ products: z.array(ProductStockSchema) });

/**
 * The inventory port: stock levels the inventory squad reads. Two adapters:
 * `KvInventoryStore` (a simulation seeded from `data/inventory.json`,
 * `simulated: true`) and `PostgresInventoryStore` (a table of the shop's
 * database, `simulated: false`).
 */
export interface InventoryStore {
  /** True when the levels are the built-in simulation, not the shop's stock: every squad output repeats it. */
  readonly simulated: boolean;
  get(productId: string): Promise<ProductStock | null>;
  /** Every product, in no particular order. */
  list(): Promise<ProductStock[]>;
  /** Sets a product's level (restock, sale, correction) and returns the new record; null for an unknown product. */
  setLevel(productId: string, stockLevel: number): Promise<ProductStock | null>;
  /** Adds the products that are not stored yet; existing ones keep their (possibly changed) levels. Returns how many were added. */
  seed(products: readonly ProductStock[]): Promise<number>;
}

/** Bucket of the inventory: `<prefix>_inventory`. */
export function inventoryBucket(prefix: string): string {
  return names(prefix).squadBucket('inventory');
}

const keyOf = (productId: string): string => `product.${encodeToken(productId)}`;

/** The simulated {@link InventoryStore}: demo levels in a KV bucket, shared by every replica of the squad. */
export class KvInventoryStore implements InventoryStore {
  readonly simulated = true;
  private readonly records: CatalogRecords<ProductStock>;

  constructor(
    kv: KvStore,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.records = new CatalogRecords<ProductStock>(kv, ProductStockSchema);
  }

  async get(productId: string): Promise<ProductStock | null> {
    return (await this.records.get(keyOf(productId)))?.value ?? null;
  }

  list(): Promise<ProductStock[]> {
    return this.records.list('product.*');
  }

  setLevel(productId: string, stockLevel: number): Promise<ProductStock | null> {
    const level = ProductStockSchema.shape.stock_level.parse(stockLevel);
    return this.records.modify(keyOf(productId), (current) => ({ ...current, stock_level: level, updated_at: this.clock.now() }));
  }

  async seed(products: readonly ProductStock[]): Promise<number> {
    // create-if-missing per product: replicas starting together, and restarts, never reset live levels.
    const results = await Promise.all(products.map((p) => this.records.createOnce(keyOf(p.id), p)));
    return results.filter((r) => r.created).length;
  }
}

export interface OpenInventoryOptions {
  /** Seed file (default `packages/squads/data/inventory.json`); `false` opens the bucket without seeding. */
  dataFile?: string | false;
}

/** Opens `<prefix>_inventory` and loads the seed file's products that are not there yet. */
export async function openInventoryStore(
  transport: Transport,
  prefix: string,
  options: OpenInventoryOptions = {},
): Promise<KvInventoryStore> {
  const store = new KvInventoryStore(await transport.kv(inventoryBucket(prefix)), transport.clock);
  const file = options.dataFile ?? dataFile('inventory.json');
  if (file !== false) await store.seed((await readDataFile(file, InventoryFileSchema)).products);
  return store;
}
