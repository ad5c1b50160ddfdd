import { z } from 'zod';
import { defineSquad, type SquadDefinition } from '../../define-squad.ts';
import { NonRetryableError } from '../../errors.ts';
import { catalogAction } from '../common/action.ts';
import { analyzeStock } from './analysis.ts';
import type { InventoryStore } from './store.ts';

export interface InventorySquadDeps {
  store: InventoryStore;
}

const CheckStockInput = z.object({
  /** Matches the abandoned-cart context's `abandoned_items` (`{ id, name, price }`; extra fields are ignored). */
  items: z.array(z.object({ id: z.string().min(1), quantity: z.number().int().positive().default(1) })).min(1),
});
const CheckStockOutput = z.object({
  available: z.boolean(),
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      known: z.boolean(),
      in_stock: z.boolean(),
      quantity: z.number().int(),
      requested: z.number().int(),
    }),
  ),
  unavailable_ids: z.array(z.string()),
  /** True when the levels come from the built-in simulation, not the shop's stock. */
  simulated: z.boolean(),
});

const AnalyzeInput = z.object({
  product_id: z.string().min(1),
  /** The level reported by the triggering event; wins over the stored one (it is the newer observation). */
  stock_level: z.number().int().nonnegative().optional(),
  min_threshold: z.number().int().nonnegative().optional(),
});
const AnalyzeOutput = z.object({
  critical: z.boolean(),
  severity: z.enum(['ok', 'low', 'critical', 'out_of_stock']),
  product_id: z.string(),
  product_name: z.string().nullable(),
  stock_level: z.number().int(),
  min_threshold: z.number().int(),
  daily_sales: z.number(),
  days_of_cover: z.number().nullable(),
  reorder_quantity: z.number().int(),
  recommended_action: z.enum(['none', 'reorder', 'pause_ads_and_reorder']),
  simulated: z.boolean(),
});

/** The inventory squad: reads stock levels from the {@link InventoryStore} (simulated or PostgreSQL). Read-only, so no compensations. */
export function createInventorySquad(deps: InventorySquadDeps): SquadDefinition {
  return defineSquad({
    name: 'inventory',
    description: deps.store.simulated
      ? 'Stock levels and stock health of the products (simulated demo stock in KV)'
      : 'Stock levels and stock health of the products',
    actions: {
      /** Checks that every requested item is in stock in the requested quantity (default 1). */
      check_stock: catalogAction({
        description: 'Checks that each item is in stock in the requested quantity; `available` is true when all are.',
        input: CheckStockInput,
        output: CheckStockOutput,
        async handler({ items }) {
          const checked = await Promise.all(
            items.map(async ({ id, quantity: requested }) => {
              const product = await deps.store.get(id);
              const quantity = product?.stock_level ?? 0;
              return { id, name: product?.name ?? null, known: product !== null, in_stock: quantity >= requested, quantity, requested };
            }),
          );
          const unavailable_ids = checked.filter((i) => !i.in_stock).map((i) => i.id);
          return { available: unavailable_ids.length === 0, items: checked, unavailable_ids, simulated: deps.store.simulated };
        },
      }),
      /** Classifies a product's stock (critical, days of cover, reorder quantity). */
      analyze_critical_stock: catalogAction({
        description: 'Analyses a product stock: critical below the threshold, days of cover, reorder quantity and recommended action.',
        input: AnalyzeInput,
        output: AnalyzeOutput,
        async handler(input) {
          const product = await deps.store.get(input.product_id);
          const stock_level = input.stock_level ?? product?.stock_level;
          const min_threshold = input.min_threshold ?? product?.min_threshold;
          if (stock_level === undefined || min_threshold === undefined) {
            throw new NonRetryableError(`unknown product ${JSON.stringify(input.product_id)} and no stock_level/min_threshold given`, {
              code: 'UNKNOWN_PRODUCT',
            });
          }
          const daily_sales = product?.daily_sales ?? 0;
          return {
            product_id: input.product_id,
            product_name: product?.name ?? null,
            stock_level,
            min_threshold,
            daily_sales,
            ...analyzeStock({ stock_level, min_threshold, daily_sales }),
            simulated: deps.store.simulated,
          };
        },
      }),
    },
  });
}
