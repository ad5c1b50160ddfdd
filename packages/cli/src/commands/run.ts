import { writeFile } from 'node:fs/promises';
import type { ExecutionView } from '@squadflow/engine';
import { durationOption, stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { describeExecution, formatDuration, stepsTable } from '../format.ts';
import type { Config } from '@squadflow/shared';
import type { Logger } from 'pino';
import { explainTriggerError, readContext } from '../input.ts';
import type { Output } from '../output.ts';
import { engineRemote, openRemote, remoteTarget, type Remote } from '../remote/index.ts';
import { cliLogger } from '../session.ts';
import { liveLine, watchExecution } from '../watch.ts';
import { chainTable, followChain, handoffNote } from '../follow-chain.ts';

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

/**
 * The squadflow `run` uses: the one the environment names (SQUADFLOW_NATS_URL,
 * or an explicit SQUADFLOW_URL), else a one-shot in-memory squadflow in this
 * process (every seed squad and workflow), gone when the command ends.
 */
async function runtimeFor(
  config: Config,
  logger: Logger,
  out: Output,
  chainHandoffs: boolean,
): Promise<{ remote: Remote; oneShot: boolean }> {
  const target = remoteTarget(config);
  if (target.kind === 'nats' || target.explicit) {
    // The server's agency squad decides (its --no-chain-handoffs or SQUADFLOW_CHAIN_HANDOFFS), not this command.
    if (!chainHandoffs) out.note('run: --no-chain-handoffs applies to a one-shot squadflow only; the server chains as it was started');
    return { remote: await openRemote(config, logger, target), oneShot: false };
  }
  out.note('run: one-shot in-memory squadflow in this process (no server is used; set SQUADFLOW_URL or SQUADFLOW_NATS_URL to run on one)');
  // Loaded here, not at the top: the other commands start faster without the embedded runtime.
  const { startEmbedded } = await import('@squadflow/embedded');
  const embedded = await startEmbedded({ prefix: config.prefix, logger, ...(chainHandoffs ? {} : { chainHandoffs: false }) });
  return { remote: engineRemote(embedded.client, 'this process (in memory)', embedded.stop), oneShot: true };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Trigger a workflow and wait for its result (as the seed run_workflow.py); one-shot in memory unless a server is named',
  usage:
    'run <workflow> --input <file> [--output <file>] [--verbose] [--wait] [--timeout 60s] [--idempotency-key <k>] [--no-chain-handoffs]',
  details: `  --input, -i <file>     trigger context (JSON object); or --data '<json>'
  --output, -o <file>    write the execution's output there (on failure: {"success": false, ...})
  --verbose, -v          per-step history with the result; engine logs on stderr
  --wait, -w             live view: a line each time a step changes status, then the result; a
                         handoff that starts the next one (seed 001's agency chain) is followed
                         to the end of its chain, with a table of the chain's executions
  --timeout <duration>   give up waiting after this long (exit 4); default 60s, for the whole chain
  --no-chain-handoffs    one-shot in-memory only: the agency's handoffs start nothing
Exit 0 when the execution completed, 1 when it failed, was compensated or cancelled.
Where it runs: with SQUADFLOW_NATS_URL or SQUADFLOW_URL set, on that squadflow; otherwise in a
one-shot in-memory squadflow inside this process (seed squads and workflows; it says so on stderr).`,
  options: {
    input: { type: 'string', short: 'i' },
    data: { type: 'string' },
    output: { type: 'string', short: 'o' },
    verbose: { type: 'boolean', short: 'v' },
    wait: { type: 'boolean', short: 'w' },
    timeout: { type: 'string' },
    'idempotency-key': { type: 'string' },
    'no-chain-handoffs': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const workflow = positionals[0]!;
    const input = await readContext({ input: stringOption(values, 'input'), data: stringOption(values, 'data') });
    const timeoutMs = durationOption(values, 'timeout', 60_000);
    const outputFile = stringOption(values, 'output');
    const verbose = values['verbose'] === true;
    const logger = cliLogger(config, { verbose, fallback: 'error' });
    const { remote, oneShot } = await runtimeFor(config, logger, out, values['no-chain-handoffs'] !== true);
    try {
      const key = stringOption(values, 'idempotency-key');
      const executionId = await remote
        .trigger(workflow, input.context, key === undefined ? {} : { idempotencyKey: key })
        .catch((err: unknown) => explainTriggerError(err, input, workflow, remote));
      out.note(`${workflow}: execution ${executionId} (${remote.where})`);
      const started = Date.now();
      const view = await watchExecution(remote, executionId, {
        timeoutMs,
        ...(values['wait'] ? { onStep: liveLine(out, started) } : {}),
      });
      // The chain's executions follow the one asked for; --output and the printed output stay that one's.
      const chain = values['wait'] ? await followChain(remote, view, { deadline: started + timeoutMs, out, started }) : [view];
      if (outputFile) await writeOutput(outputFile, view);
      if (values['wait'] && out.json) out.event({ event: 'result', execution: view, ...(chain.length > 1 ? { chain } : {}) }, () => '');
      else {
        out.result(view, () => humanResult(view, { verbose, outputFile }));
        if (chain.length > 1) out.line(`\nchain of ${chain.length} handoffs:\n${chainTable(chain)}`);
      }
      const note = values['wait'] ? undefined : handoffNote(view, oneShot);
      if (note) out.note(note);
      return chain.every((v) => v.status === 'completed') ? ExitCode.OK : ExitCode.NOT_COMPLETED;
    } finally {
      await remote.close();
    }
  },
};
