import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';

/** Default table of `PostgresInventoryStore`: one row per product. */
export const DEFAULT_INVENTORY_TABLE = 'squadflow_inventory';

/** A PostgreSQL identifier we quote ourselves: lower-case, so it never needs escaping and never collides with quoting rules. */
const Identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier: a-z, 0-9 and "_" (max 63)');

/**
 * Inventory settings from the environment (docs/integrations.md):
 *
 * | variable | meaning |
 * |---|---|
 * | INVENTORY_DATABASE_URL | `postgres://user:pass@host:5432/db`: set, the squad reads PostgreSQL instead of the KV simulation |
 * | INVENTORY_DB_SCHEMA | schema of the table (default `public`; created when missing) |
 * | INVENTORY_DB_TABLE | table name (default `squadflow_inventory`; created when missing) |
 * | INVENTORY_SEED_FILE | optional JSON file (`data/inventory.json` shape) whose products are inserted when missing |
 */
export const InventoryEnvSchema = z.object({
  INVENTORY_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  INVENTORY_DB_SCHEMA: Identifier.default('public'),
  INVENTORY_DB_TABLE: Identifier.default(DEFAULT_INVENTORY_TABLE),
  INVENTORY_SEED_FILE: z.string().min(1).optional(),
});

export interface PostgresInventoryConfig {
  connectionString: string;
  schema: string;
  table: string;
  /** Products from this file are inserted when missing (never overwritten). */
  seedFile?: string;
}

type Env = Record<string, string | undefined>;

/**
 * The PostgreSQL inventory settings, or null when `INVENTORY_DATABASE_URL`
 * is unset (the simulation is used). Throws `INVALID_CONFIG` naming the bad
 * variable, never its value (the URL may hold a password).
 */
export function readInventoryEnv(env: Env = process.env): PostgresInventoryConfig | null {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = InventoryEnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid inventory environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  if (e.INVENTORY_DATABASE_URL === undefined) return null;
  return {
    connectionString: e.INVENTORY_DATABASE_URL,
    schema: e.INVENTORY_DB_SCHEMA,
    table: e.INVENTORY_DB_TABLE,
    ...(e.INVENTORY_SEED_FILE === undefined ? {} : { seedFile: e.INVENTORY_SEED_FILE }),
  };
}
