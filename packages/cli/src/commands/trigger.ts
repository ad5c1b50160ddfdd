import { TERMINAL_STATUSES, type ExecutionStatus } from '@squadflow/shared';
import { durationOption, stringOption, type Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { explainContextError, readContext } from '../input.ts';
import { cliLogger, openSession } from '../session.ts';

/** Where an ephemeral trigger may let go: nothing more happens without someone outside this process. */
const SETTLED: ExecutionStatus[] = [...TERMINAL_STATUSES, 'waiting', 'escalated', 'paused'];

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'Start an execution and print its id',
  usage: "trigger <workflow> [--input <file> | --data '<json>'] [--idempotency-key <k>]",
  details: `  --input, -i <file>        trigger context (JSON object)
  --data '<json>'           trigger context inline
  --idempotency-key <k>     the same key again returns the same execution
  --timeout <duration>      without NATS only: how long to keep the in-process squadflow up (default 60s)
Prints the execution id on stdout ({"executionId": ...} with --json). Without SQUADFLOW_NATS_URL
the execution runs in this process, which stays up until the execution ends, waits or escalates.`,
  options: {
    input: { type: 'string', short: 'i' },
    data: { type: 'string' },
    'idempotency-key': { type: 'string' },
    timeout: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const workflow = positionals[0]!;
    const input = await readContext({ input: stringOption(values, 'input'), data: stringOption(values, 'data') });
    const timeoutMs = durationOption(values, 'timeout', 60_000);
    const session = await openSession(config, cliLogger(config, { fallback: 'error' }));
    try {
      const key = stringOption(values, 'idempotency-key');
      const executionId = await session.client
        .trigger(workflow, input.context, key === undefined ? {} : { idempotencyKey: key })
        .catch((err: unknown) => explainContextError(err, input, workflow));
      out.result({ executionId }, () => executionId);
      if (session.mode === 'ephemeral') {
        // The in-memory squadflow ends with this command: let the execution get as far as it can alone.
        out.note('SQUADFLOW_NATS_URL is not set: running the execution in this process until it settles');
        const view = await session.client.waitFor(executionId, SETTLED, timeoutMs);
        out.note(`execution ${executionId} ${view.status}`);
      }
      return ExitCode.OK;
    } finally {
      await session.close();
    }
  },
};
