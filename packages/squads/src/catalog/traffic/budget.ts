/** Daily budgets in BRL. Rules of thumb, kept in one place so marketing can tune them. */

const CART_SHARE = 0.05;
const CART_MIN = 5;
const CART_MAX = 50;
const CART_DEFAULT = 10;

/** 5% of the cart value per day, between R$ 5 and R$ 50 (R$ 10 when the value is unknown). */
export function cartRecoveryBudget(cartValue: number | undefined): number {
  if (cartValue === undefined) return CART_DEFAULT;
  const budget = Math.round(cartValue * CART_SHARE * 100) / 100;
  return Math.min(CART_MAX, Math.max(CART_MIN, budget));
}

const SEGMENT_BUDGET: Record<string, number> = { hot: 30, warm: 15, cold: 5 };

/** Hotter leads are worth more spend; unknown segments get R$ 10. */
export function leadNurtureBudget(segment: string | undefined): number {
  return (segment === undefined ? undefined : SEGMENT_BUDGET[segment]) ?? 10;
}
