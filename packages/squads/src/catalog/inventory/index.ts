export { createInventorySquad, type InventorySquadDeps } from './squad.ts';
export { analyzeStock, REORDER_COVER_DAYS, type StockAnalysis, type StockSeverity } from './analysis.ts';
export {
  inventoryBucket,
  InventoryFileSchema,
  KvInventoryStore,
  openInventoryStore,
  ProductStockSchema,
  type InventoryStore,
  type OpenInventoryOptions,
  type ProductStock,
} from './store.ts';
export { openPostgresInventoryStore, PostgresInventoryStore } from './postgres-store.ts';
export { DEFAULT_INVENTORY_TABLE, InventoryEnvSchema, readInventoryEnv, type PostgresInventoryConfig } from './env.ts';
