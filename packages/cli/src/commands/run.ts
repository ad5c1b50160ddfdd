import { writeFile } from 'node:fs/promises';
import type { ExecutionView } from '@squadflow/engine';
import { durationOption, stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { describeExecution, formatDuration, stepsTable } from '../format.ts';
import { explainContextError, readContext } from '../input.ts';
import type { Output } from '../output.ts';
import { cliLogger, openSession } from '../session.ts';
import { watchExecution } from '../watch.ts';

/** What `--output` receives: the execution's output, or the seed's failure shape when it did not complete. */
function outputDocument(view: ExecutionView): unknown {
  if (view.status === 'completed') return view.output ?? null;
  return { success: false, execution_id: view.executionId, status: view.status, error: view.error ?? null };
}

async function writeOutput(path: string, view: ExecutionView): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(outputDocument(view), null, 2)}\n`);
  } catch (err) {
    throw new CliError(ExitCode.USAGE, `${path}: cannot write output: ${(err as Error).message}`, [], 'OUTPUT_UNWRITABLE');
  }
}

function humanResult(view: ExecutionView, options: { verbose: boolean; outputFile?: string | undefined }): string {
  const took = view.endedAt === undefined ? '' : ` in ${formatDuration(view.endedAt - view.createdAt)}`;
  if (view.status !== 'completed') return `${view.workflow} ${view.status}${took}\n\n${describeExecution(view)}`;
  const lines = [`${view.workflow} completed${took} (execution ${view.executionId})`];
  if (options.verbose) lines.push('', stepsTable(view), '');
  lines.push(options.outputFile ? `output written to ${options.outputFile}` : JSON.stringify(view.output ?? null, null, 2));
  return lines.join('\n');
}

function liveLine(out: Output, started: number) {
  return ({ step, previous }: { step: ExecutionView['steps'][number]; previous: string | undefined }) =>
    out.event({ event: 'step', step: step.name, status: step.status, previous: previous ?? null, attempt: step.attempts.length }, () => {
      const at = `+${formatDuration(Date.now() - started)}`.padEnd(8);
      const attempt = step.attempts.length > 1 ? ` (attempt ${step.attempts.length})` : '';
      const error = step.error ? `: ${step.error.message}` : '';
      return `${at} ${step.name.padEnd(24)} ${step.status}${attempt}${error}`;
    });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Trigger a workflow and wait for its result (as the seed run_workflow.py)',
  usage: 'run <workflow> --input <file> [--output <file>] [--verbose] [--wait] [--timeout 60s] [--idempotency-key <k>]',
  details: `  --input, -i <file>     trigger context (JSON object); or --data '<json>'
  --output, -o <file>    write the execution's output there (on failure: {"success": false, ...})
  --verbose, -v          per-step history with the result; engine logs on stderr
  --wait, -w             live view: a line each time a step changes status, then the result
  --timeout <duration>   give up waiting after this long (exit 4); default 60s
Exit 0 when the execution completed, 1 when it failed, was compensated or cancelled.`,
  options: {
    input: { type: 'string', short: 'i' },
    data: { type: 'string' },
    output: { type: 'string', short: 'o' },
    verbose: { type: 'boolean', short: 'v' },
    wait: { type: 'boolean', short: 'w' },
    timeout: { type: 'string' },
    'idempotency-key': { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const workflow = positionals[0]!;
    const input = await readContext({ input: stringOption(values, 'input'), data: stringOption(values, 'data') });
    const timeoutMs = durationOption(values, 'timeout', 60_000);
    const outputFile = stringOption(values, 'output');
    const verbose = values['verbose'] === true;
    const session = await openSession(config, cliLogger(config, { verbose, fallback: 'error' }));
    try {
      const key = stringOption(values, 'idempotency-key');
      const executionId = await session.client
        .trigger(workflow, input.context, key === undefined ? {} : { idempotencyKey: key })
        .catch((err: unknown) => explainContextError(err, input, workflow));
      out.note(
        `${workflow}: execution ${executionId}${session.mode === 'ephemeral' ? ' (in this process: SQUADFLOW_NATS_URL is not set)' : ''}`,
      );
      const view = values['wait']
        ? await watchExecution(session.client, executionId, { timeoutMs, onStep: liveLine(out, Date.now()) })
        : await session.client.waitFor(executionId, undefined, timeoutMs);
      if (outputFile) await writeOutput(outputFile, view);
      if (values['wait'] && out.json) out.event({ event: 'result', execution: view }, () => '');
      else out.result(view, () => humanResult(view, { verbose, outputFile }));
      return view.status === 'completed' ? ExitCode.OK : ExitCode.NOT_COMPLETED;
    } finally {
      await session.close();
    }
  },
};
