#!/usr/bin/env -S node --import tsx
/**
 * `squadflow <command>`: the command line. Run from the workspace with
 * `pnpm squadflow <command>` or `node --import tsx packages/cli/src/main.ts`.
 * Results go to stdout, errors and logs to stderr; the exit code says what
 * happened (see exit-codes.ts).
 */
import { loadConfig } from '@squadflow/shared';
import { parseCommandArgs, type Command } from './command.ts';
import { cancelCommand } from './commands/cancel.ts';
import { lsCommand } from './commands/ls.ts';
import { pauseCommand, resumeCommand } from './commands/pause.ts';
import { resolveCommand } from './commands/resolve.ts';
import { retryCommand } from './commands/retry.ts';
import { runCommand } from './commands/run.ts';
import { schedulesCommand } from './commands/schedules.ts';
import { signalCommand } from './commands/signal.ts';
import { squadCommand } from './commands/squad.ts';
import { startCommand } from './commands/start.ts';
import { startExecutionCommand } from './commands/start-execution.ts';
import { statusCommand } from './commands/status.ts';
import { triggerCommand } from './commands/trigger.ts';
import { workflowsCommand } from './commands/workflows.ts';
import { insightsCommand } from './commands/insights.ts';
import { leadsCommand } from './commands/leads.ts';
import { tasksCommand } from './commands/tasks.ts';
import { notifierCommand } from './commands/notifier.ts';
import { CliError, ExitCode, toCliError } from './exit-codes.ts';
import { commandHelp, globalHelp } from './help.ts';
import { Output } from './output.ts';
import { didYouMean } from './suggest.ts';

const COMMANDS: readonly Command[] = [
  runCommand,
  triggerCommand,
  startExecutionCommand,
  statusCommand,
  lsCommand,
  workflowsCommand,
  insightsCommand,
  leadsCommand,
  tasksCommand,
  cancelCommand,
  pauseCommand,
  resumeCommand,
  signalCommand,
  resolveCommand,
  retryCommand,
  schedulesCommand,
  squadCommand,
  notifierCommand,
  startCommand,
];

async function main(argv: string[]): Promise<number> {
  // Known before parsing, so even a usage error is reported as JSON when asked.
  let out = new Output(argv.includes('--json'));
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      out.line(globalHelp(COMMANDS));
      return name === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const names = COMMANDS.map((c) => c.name);
      throw new CliError(ExitCode.USAGE, `unknown command "${name}"${didYouMean(name, names)}`, [`commands: ${names.join(', ')}`]);
    }
    const { values, positionals } = parseCommandArgs(command, rest);
    out = new Output(values['json'] === true);
    if (values['help']) {
      out.line(commandHelp(command));
      return ExitCode.OK;
    }
    // A bad variable (SQUADFLOW_PREFIX=Bad) is INVALID_CONFIG naming it: exit 2.
    return await command.run({ values, positionals, out, config: loadConfig() });
  } catch (err) {
    const error = toCliError(err);
    out.error(error);
    return error.exitCode;
  }
}

const code = await main(process.argv.slice(2));
// Let piped stdout/stderr drain, then exit even if a library left a handle open.
await new Promise<void>((resolve) => process.stdout.write('', () => process.stderr.write('', () => resolve())));
process.exit(code);
