import { durationOption, stringOption, type Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { withRemote } from '../remote/index.ts';
import { watchExecution } from '../watch.ts';

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'Cancel a running execution',
  usage: 'cancel <execution-id> [--reason <text>] [--wait] [--timeout 30s]',
  details: `  --reason <text>        recorded on the execution
  --wait, -w             return once the execution shows cancelled (exit 4 after --timeout)
Without --wait it returns once the request is durably queued for the orchestrator.
Exit 2 when the execution has already ended, 3 when it is unknown.`,
  options: { reason: { type: 'string' }, wait: { type: 'boolean', short: 'w' }, timeout: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const executionId = positionals[0]!;
    const timeoutMs = durationOption(values, 'timeout', 30_000);
    return withRemote(config, async (remote) => {
      await remote.cancel(executionId, stringOption(values, 'reason'));
      if (!values['wait']) {
        out.result({ executionId, requested: 'cancel' }, () => `cancel requested for ${executionId}`);
        return ExitCode.OK;
      }
      const view = await watchExecution(remote, executionId, { timeoutMs });
      out.result({ executionId, status: view.status }, () => `execution ${executionId} ${view.status}`);
      // Finished some other way before the cancel landed: the cancel did not happen.
      return view.status === 'cancelled' ? ExitCode.OK : ExitCode.USAGE;
    });
  },
};
