import type { ExecutionView, StepView } from '@squadflow/engine';
import { SquadflowError, TERMINAL_STATUSES, type ExecutionStatus } from '@squadflow/shared';
import { formatDuration } from './format.ts';
import type { Output } from './output.ts';
import type { Remote } from './remote/index.ts';

/** A step whose status changed since the last look (first sighting included). */
export interface StepChange {
  step: StepView;
  previous: StepView['status'] | undefined;
}

export interface WatchOptions {
  timeoutMs: number;
  /** Stop at any of these statuses (default: the end ones). */
  until?: ReadonlySet<ExecutionStatus>;
  onStep?(change: StepChange, view: ExecutionView): void;
}

/** Where an execution rests until something outside it acts: it ended, or it waits for a signal, a person or a resume. */
export const SETTLED: ReadonlySet<ExecutionStatus> = new Set([...TERMINAL_STATUSES, 'waiting', 'escalated', 'paused']);

/**
 * Follows an execution until it reaches one of `until`'s statuses, reporting
 * each step status change in the order the steps appear. It polls (over HTTP
 * or storage alike): that sees every status, also those no lifecycle event
 * announces (running, backoff, waiting). A status held for less than one
 * poll may be skipped; the final statuses are always reported. Throws
 * `TIMEOUT`, or `EXECUTION_NOT_FOUND`.
 */
export async function watchExecution(
  remote: Pick<Remote, 'getExecution'>,
  executionId: string,
  options: WatchOptions,
): Promise<ExecutionView> {
  const until = options.until ?? TERMINAL_STATUSES;
  const seen = new Map<string, StepView['status']>();
  const deadline = Date.now() + options.timeoutMs;
  let pause = 10;
  for (;;) {
    const view = await remote.getExecution(executionId);
    if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
    for (const step of view.steps) {
      const previous = seen.get(step.name);
      if (previous === step.status) continue;
      seen.set(step.name, step.status);
      options.onStep?.({ step, previous }, view);
    }
    if (until.has(view.status)) return view;
    if (Date.now() > deadline) {
      throw new SquadflowError(
        'TIMEOUT',
        `execution ${executionId} did not settle within ${formatDuration(options.timeoutMs)} (status: ${view.status})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 200);
  }
}

/** The live view's line for a step change: an NDJSON event with --json, else `+1.2s  step  status`. */
export function liveLine(out: Output, started: number) {
  return ({ step, previous }: StepChange) =>
    out.event({ event: 'step', step: step.name, status: step.status, previous: previous ?? null, attempt: step.attempts.length }, () => {
      const at = `+${formatDuration(Date.now() - started)}`.padEnd(8);
      const attempt = step.attempts.length > 1 ? ` (attempt ${step.attempts.length})` : '';
      const error = step.error ? `: ${step.error.message}` : '';
      return `${at} ${step.name.padEnd(24)} ${step.status}${attempt}${error}`;
    });
}
