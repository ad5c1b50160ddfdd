/** `start-execution`: starts an execution created with `trigger --no-start` (`start` runs the server). */
import type { Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { withRemote } from '../remote/index.ts';

export const startExecutionCommand: Command = {
  name: 'start-execution',
  summary: 'Start an execution created with "trigger --no-start"',
  usage: 'start-execution <execution-id>',
  details: `Starting one that already started does nothing. Returns once the start is durably queued.
Exit 2 when the execution was cancelled before it started, 3 when it is unknown.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals, out, config }) {
    const executionId = positionals[0]!;
    return withRemote(config, async (remote) => {
      await remote.startExecution(executionId);
      out.result({ executionId, requested: 'start' }, () => `start requested for ${executionId}`);
      return ExitCode.OK;
    });
  },
};
