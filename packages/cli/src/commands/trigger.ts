import { SquadflowError, TERMINAL_STATUSES } from '@squadflow/shared';
import { durationOption, intOption, stringOption, type Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { describeExecution } from '../format.ts';
import { explainTriggerError, readContext } from '../input.ts';
import { withRemote } from '../remote/index.ts';
import { SETTLED, watchExecution } from '../watch.ts';

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'Start an execution on the running squadflow and print its id',
  usage:
    "trigger <workflow> [--input <file> | --data '<json>'] [--idempotency-key <k>] [--version <n>] [--no-start] [--wait] [--timeout 60s]",
  details: `  --input, -i <file>        trigger context (JSON object)
  --data '<json>'           trigger context inline
  --idempotency-key <k>     the same key again returns the same execution
  --version <n>             pin a definition version (default: the latest)
  --no-start                create the execution pending, without starting it (squadflow start-execution <id>)
  --wait, -w                wait until the execution ends, waits (signal, person) or escalates; print it
  --timeout <duration>      with --wait: give up after this long (exit 4); default 60s
Prints the execution id on stdout ({"executionId": ...} with --json) as soon as the trigger is stored,
and on stderr how to follow it. With --wait, exit 1 when the execution failed, was compensated or cancelled.`,
  options: {
    input: { type: 'string', short: 'i' },
    data: { type: 'string' },
    'idempotency-key': { type: 'string' },
    version: { type: 'string' },
    'no-start': { type: 'boolean' },
    wait: { type: 'boolean', short: 'w' },
    timeout: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const workflow = positionals[0]!;
    const input = await readContext({ input: stringOption(values, 'input'), data: stringOption(values, 'data') });
    const timeoutMs = durationOption(values, 'timeout', 60_000);
    const version = intOption(values, 'version');
    const key = stringOption(values, 'idempotency-key');
    const held = values['no-start'] === true;
    if (held && values['wait'])
      throw new SquadflowError('INVALID_ARGUMENT', '--no-start and --wait do not go together: a held execution does not run');
    return withRemote(config, async (remote) => {
      const executionId = await remote
        .trigger(workflow, input.context, {
          ...(key === undefined ? {} : { idempotencyKey: key }),
          ...(version ? { version } : {}),
          ...(held ? { start: false } : {}),
        })
        .catch((err: unknown) => explainTriggerError(err, input, workflow, remote));
      if (!values['wait']) {
        out.result({ executionId }, () => executionId);
        out.note(
          held
            ? `created, not started: squadflow start-execution ${executionId}`
            : `follow it: squadflow status ${executionId} --watch   (or once: squadflow status ${executionId})`,
        );
        return ExitCode.OK;
      }
      out.note(`execution ${executionId}: waiting until it ends, waits or escalates (at most ${values['timeout'] ?? '60s'})`);
      const view = await watchExecution(remote, executionId, { timeoutMs, until: SETTLED });
      out.result(view, () => describeExecution(view));
      return TERMINAL_STATUSES.has(view.status) && view.status !== 'completed' ? ExitCode.NOT_COMPLETED : ExitCode.OK;
    });
  },
};
