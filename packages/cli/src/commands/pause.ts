/** `pause` and `resume`: hold an execution (no new step starts, timers wait) and let it go on. */
import { stringOption, type Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { withRemote } from '../remote/index.ts';

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Pause an execution: no new step starts and timers wait; steps in flight finish',
  usage: 'pause <execution-id> [--reason <text>]',
  details: `  --reason <text>   recorded on the execution
Returns once the request is durably queued; "squadflow status <id>" shows paused shortly after.
Exit 2 when the execution has already ended, 3 when it is unknown.`,
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const executionId = positionals[0]!;
    return withRemote(config, async (remote) => {
      await remote.pause(executionId, stringOption(values, 'reason'));
      out.result({ executionId, requested: 'pause' }, () => `pause requested for ${executionId}`);
      return ExitCode.OK;
    });
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Resume a paused execution; timers that fell due meanwhile fire now',
  usage: 'resume <execution-id>',
  details: 'Exit 2 when the execution has already ended, 3 when it is unknown.',
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals, out, config }) {
    const executionId = positionals[0]!;
    return withRemote(config, async (remote) => {
      await remote.resume(executionId);
      out.result({ executionId, requested: 'resume' }, () => `resume requested for ${executionId}`);
      return ExitCode.OK;
    });
  },
};
