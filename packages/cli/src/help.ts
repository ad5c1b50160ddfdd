import type { Command } from './command.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';

const HOW_IT_CONNECTS = `How commands reach squadflow:
  SQUADFLOW_NATS_URL set     commands talk to the deployment on that NATS server
                             (SQUADFLOW_PREFIX selects it; default "sqf").
  SQUADFLOW_NATS_URL unset   there is no server to reach, so each command runs its own
                             in-memory squadflow (orchestrator, seed squads, seed workflows)
                             for as long as the command runs: "run" works on a fresh machine;
                             status/ls/cancel/signal/resolve only see that empty instance.
  "squadflow start" runs the all-in-one and stays up (in memory, or on NATS when set).`;

const ENVIRONMENT = `Environment:
  SQUADFLOW_NATS_URL    NATS server(s), comma-separated; unset = in-memory
  SQUADFLOW_PREFIX      prefix of subjects, streams and buckets (default sqf)
  SQUADFLOW_LOG_LEVEL   engine log level on stderr (default: error for commands, info for start/squad)`;

/** `squadflow --help`. */
export function globalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'squadflow: durable workflows over NATS',
    '',
    'Usage: squadflow <command> [options]      (squadflow <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (machine-readable stdout; errors as JSON on stderr) and --help.',
    '',
    HOW_IT_CONNECTS,
    '',
    ENVIRONMENT,
    '',
    EXIT_CODES_HELP,
    '',
    'Example (seed 001):',
    '  squadflow run offer_to_marketing --input examples/handoffs/offer_to_marketing.json --output out.json --verbose',
  ].join('\n');
}

/** `squadflow <command> --help`. */
export function commandHelp(command: Command): string {
  return [
    `Usage: squadflow ${command.usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    '  --json                 machine-readable output',
    '',
    HOW_IT_CONNECTS,
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}
