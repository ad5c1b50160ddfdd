/** The signal key an operator is offered for a waiting step. */
import type { ExecutionView } from '../api/types.ts';

/**
 * `approval_{order_id}` with the context's `order_id`, `{$execution.id}` with the execution's id: a plain
 * placeholder fill for the suggested key, nothing is evaluated (the engine resolves the real key).
 */
export function fillKey(template: string, execution: Pick<ExecutionView, 'executionId' | 'context'>): string {
  return template.replace(/\{(\$?[A-Za-z0-9_.-]+)\}/g, (whole, field: string) => {
    if (field === '$execution.id') return execution.executionId;
    const value = field
      .split('.')
      .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), execution.context);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}
