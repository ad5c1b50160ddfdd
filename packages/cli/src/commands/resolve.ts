import { stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { withRemote } from '../remote/index.ts';

const ACTIONS = ['retry', 'skip', 'abort'] as const;
type Action = (typeof ACTIONS)[number];

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'Resolve an escalated execution: retry the step, skip it, or abort',
  usage: 'resolve <execution-id> retry|skip|abort [--step <name>]',
  details: `  --step <name>   the escalated step (needed only when several are escalated)
retry runs the step again, skip continues without it, abort ends the execution failed.`,
  options: { step: { type: 'string' } },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals, out, config }) {
    const [executionId, action] = positionals as [string, string];
    if (!ACTIONS.includes(action as Action)) {
      throw new CliError(ExitCode.USAGE, `resolve: unknown action "${action}" (one of ${ACTIONS.join(', ')})`);
    }
    const step = stringOption(values, 'step');
    return withRemote(config, async (remote) => {
      await remote.resolveEscalation(executionId, action as Action, step);
      out.result(
        { executionId, action, ...(step ? { step } : {}) },
        () => `${action} requested for ${executionId}${step ? ` (step ${step})` : ''}`,
      );
      return ExitCode.OK;
    });
  },
};
