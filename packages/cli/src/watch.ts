import type { EngineClient, ExecutionView, StepView } from '@squadflow/engine';
import { SquadflowError, TERMINAL_STATUSES } from '@squadflow/shared';

/** A step whose status changed since the last look (first sighting included). */
export interface StepChange {
  step: StepView;
  previous: StepView['status'] | undefined;
}

export interface WatchOptions {
  timeoutMs: number;
  onStep(change: StepChange, view: ExecutionView): void;
}

/**
 * Follows an execution until it ends, reporting each step status change in
 * the order the steps appear. It polls storage (as `EngineClient.waitFor`
 * does): that sees every status, also those no lifecycle event announces
 * (running, backoff, waiting). A status held for less than one poll may be
 * skipped; the final statuses are always reported. Throws `TIMEOUT`.
 */
export async function watchExecution(client: EngineClient, executionId: string, options: WatchOptions): Promise<ExecutionView> {
  const seen = new Map<string, StepView['status']>();
  const deadline = Date.now() + options.timeoutMs;
  let pause = 10;
  for (;;) {
    const view = await client.getExecution(executionId);
    if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
    for (const step of view.steps) {
      const previous = seen.get(step.name);
      if (previous === step.status) continue;
      seen.set(step.name, step.status);
      options.onStep({ step, previous }, view);
    }
    if (TERMINAL_STATUSES.has(view.status)) return view;
    if (Date.now() > deadline) {
      throw new SquadflowError('TIMEOUT', `execution ${executionId} did not end within ${options.timeoutMs} ms (status: ${view.status})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 100);
  }
}
