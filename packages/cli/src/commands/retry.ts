import type { ExecutionView } from '@squadflow/engine';
import { SquadflowError, TERMINAL_STATUSES } from '@squadflow/shared';
import { durationOption, stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { withRemote, type Remote } from '../remote/index.ts';
import { SETTLED, watchExecution } from '../watch.ts';

export const retryCommand: Command = {
  name: 'retry',
  summary: 'Retry a failed or escalated execution from one of its completed steps',
  usage: 'retry <execution-id> --from <step> [--wait] [--timeout 30s]',
  details: `  --from <step>          a completed step: it and every step after it run again
  --wait, -w             return once the rewound execution ends, waits or escalates again
                         (exit 1 when it ends without completing, 4 after --timeout)
The steps before --from keep their outputs; earlier attempts stay in the history.
Exit 2 for a step that is unknown or did not complete, or an execution that is not failed or escalated; 3 when it is unknown.`,
  options: { from: { type: 'string' }, wait: { type: 'boolean', short: 'w' }, timeout: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const executionId = positionals[0]!;
    const fromStep = stringOption(values, 'from');
    if (fromStep === undefined) throw new CliError(ExitCode.USAGE, 'retry: --from <step> is required (a completed step of the execution)');
    const timeoutMs = durationOption(values, 'timeout', 30_000);
    return withRemote(config, async (remote) => {
      const accepted = await remote.retryFromStep(executionId, fromStep);
      if (!values['wait']) {
        out.result(accepted, () => `retry from "${fromStep}" requested for ${executionId}: runs again ${accepted.steps.join(', ')}`);
        return ExitCode.OK;
      }
      await rewound(remote, executionId, accepted.controlId, timeoutMs);
      const view = await watchExecution(remote, executionId, { timeoutMs, until: SETTLED });
      out.result({ ...accepted, status: view.status }, () => `execution ${executionId} retried from "${fromStep}": ${view.status}`);
      return TERMINAL_STATUSES.has(view.status) && view.status !== 'completed' ? ExitCode.NOT_COMPLETED : ExitCode.OK;
    });
  },
};

/** Polls until the execution lists the rewind `controlId` (the orchestrator applied it). */
async function rewound(
  remote: Pick<Remote, 'getExecution'>,
  executionId: string,
  controlId: string,
  timeoutMs: number,
): Promise<ExecutionView> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    const view = await remote.getExecution(executionId);
    if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
    if (view.rewinds?.some((r) => r.id === controlId)) return view;
    if (Date.now() > deadline) throw new SquadflowError('TIMEOUT', `execution ${executionId} was not rewound within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
