/**
 * `q`, the text search of the executions list, without reading records:
 * an execution matches when its id contains `q` (the listing index has the
 * ids), when `q` is its idempotency key (the id derives from workflow and
 * key, so the id is computed for each workflow), or when it waits on the
 * correlation key `q` right now (the wait index). Case-sensitive; the
 * idempotency and correlation keys must match exactly.
 */
import { executionIdFor } from '@squadflow/shared';
import type { WaitIndex } from '../store/waits.ts';

export async function searchPredicate(
  q: string,
  workflows: readonly string[],
  waits: Pick<WaitIndex, 'lookup'>,
): Promise<(executionId: string) => boolean> {
  const exact = new Set(workflows.map((w) => executionIdFor(w, q)));
  for (const reg of await waits.lookup(q)) exact.add(reg.executionId);
  return (executionId) => executionId.includes(q) || exact.has(executionId);
}
