import { SquadflowError, TERMINAL_STATUSES, type ExecutionStatus } from '@squadflow/shared';
import type { ExecutionView } from '@squadflow/engine';
import { durationOption, type Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { describeExecution } from '../format.ts';
import { withRemote } from '../remote/index.ts';
import { liveLine, watchExecution } from '../watch.ts';

/** 1 for an execution that ended without completing, else 0. */
export function exitFor(status: ExecutionStatus): number {
  return TERMINAL_STATUSES.has(status) && status !== 'completed' ? ExitCode.NOT_COMPLETED : ExitCode.OK;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show an execution: status, output or error, and per-step history',
  usage: 'status <execution-id> [--watch] [--timeout 10m]',
  details: `  --watch, -w            follow it: a line each time a step changes status, until it ends
  --timeout <duration>   with --watch: give up after this long (exit 4); default 10m
Exit 0 while the execution is active or once it completed; 1 when it ended failed, compensated or cancelled; 3 when unknown.`,
  options: { watch: { type: 'boolean', short: 'w' }, timeout: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const executionId = positionals[0]!;
    const timeoutMs = durationOption(values, 'timeout', 600_000);
    return withRemote(config, async (remote) => {
      let view: ExecutionView | null;
      if (values['watch']) {
        view = await watchExecution(remote, executionId, { timeoutMs, onStep: liveLine(out, Date.now()) });
        if (out.json) {
          out.event({ event: 'result', execution: view }, () => '');
          return exitFor(view.status);
        }
      } else {
        view = await remote.getExecution(executionId);
        if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
      }
      const shown = view;
      out.result(shown, () => describeExecution(shown));
      return exitFor(shown.status);
    });
  },
};
