import { stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { withRemote } from '../remote/index.ts';

export const signalCommand: Command = {
  name: 'signal',
  summary: 'Send a signal to whatever waits on a correlation key',
  usage: "signal <key> [--data '<json>'] [--id <signal-id>]",
  details: `  --data '<json>'   the signal's data (any JSON value); the waiting step's output
  --id <id>         signal id (default: random); the same id twice is delivered once
A signal that arrives before its wait is armed is kept for a while (the orchestrator's lookback).`,
  options: { data: { type: 'string' }, id: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const key = positionals[0]!;
    const raw = stringOption(values, 'data');
    let data: unknown;
    if (raw !== undefined) {
      try {
        data = JSON.parse(raw);
      } catch (err) {
        throw new CliError(ExitCode.USAGE, `--data: invalid JSON: ${(err as Error).message}`, [], 'INVALID_JSON');
      }
    }
    return withRemote(config, async (remote) => {
      const id = stringOption(values, 'id');
      const signalId = await remote.signal(key, data, id === undefined ? {} : { signalId: id });
      out.result({ key, signalId }, () => `signal ${signalId} sent to "${key}"`);
      return ExitCode.OK;
    });
  },
};
