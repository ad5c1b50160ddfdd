/** Days of sales a reorder should cover on top of the minimum threshold. */
export const REORDER_COVER_DAYS = 14;

export type StockSeverity = 'ok' | 'low' | 'critical' | 'out_of_stock';

/** What the stock numbers mean for the business; pure, so the rules are tested without KV. */
export interface StockAnalysis {
  /** True below the minimum threshold (and when out of stock): the seed's `stock_level < min_threshold`. */
  critical: boolean;
  severity: StockSeverity;
  /** Days the current level lasts at the average daily sales; null when the product does not sell. */
  days_of_cover: number | null;
  /** Units to order to get back to the threshold plus {@link REORDER_COVER_DAYS} of sales; 0 when not needed. */
  reorder_quantity: number;
  recommended_action: 'none' | 'reorder' | 'pause_ads_and_reorder';
}

/**
 * Classifies a stock level: `out_of_stock` at 0, `critical` below the
 * threshold, `low` below twice the threshold, else `ok`. Low stock is
 * reordered; critical stock also pauses ads, since ads would sell what
 * cannot be delivered.
 */
export function analyzeStock(stock: { stock_level: number; min_threshold: number; daily_sales: number }): StockAnalysis {
  const { stock_level, min_threshold, daily_sales } = stock;
  const severity: StockSeverity =
    stock_level <= 0 ? 'out_of_stock' : stock_level < min_threshold ? 'critical' : stock_level < 2 * min_threshold ? 'low' : 'ok';
  const critical = severity === 'out_of_stock' || severity === 'critical';
  const days_of_cover = daily_sales > 0 ? Math.round((stock_level / daily_sales) * 10) / 10 : null;
  const target = min_threshold + daily_sales * REORDER_COVER_DAYS;
  const reorder_quantity = severity === 'ok' ? 0 : Math.max(0, Math.ceil(target - stock_level));
  const recommended_action = critical ? 'pause_ads_and_reorder' : severity === 'low' ? 'reorder' : 'none';
  return { critical, severity, days_of_cover, reorder_quantity, recommended_action };
}
