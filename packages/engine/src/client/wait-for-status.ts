import { SquadflowError, type ExecutionStatus } from '@squadflow/shared';
import type { ExecutionView } from './execution-view.ts';

/**
 * Resolves when the execution reaches one of `statuses`, polling storage
 * with backoff (5 ms doubling to 200 ms). Throws `TIMEOUT` after `timeoutMs`.
 */
export async function waitForStatus(
  getExecution: (executionId: string) => Promise<ExecutionView | null>,
  executionId: string,
  statuses: readonly ExecutionStatus[],
  timeoutMs: number,
): Promise<ExecutionView> {
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  for (;;) {
    const view = await getExecution(executionId);
    if (view && statuses.includes(view.status)) return view;
    if (Date.now() > deadline) {
      throw new SquadflowError(
        'TIMEOUT',
        `execution ${executionId} did not reach ${statuses.join('|')} within ${timeoutMs} ms (status: ${view?.status ?? 'unknown'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 200);
  }
}
