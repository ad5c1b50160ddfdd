import type { Command } from './command.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';

const HOW_IT_CONNECTS = `How commands reach squadflow (like temporal and its dev server):
  Start one, in another terminal:   squadflow start   (serves the HTTP API on http://127.0.0.1:8080)
  Then every command talks to it:
    SQUADFLOW_NATS_URL set     over NATS, to the deployment with SQUADFLOW_PREFIX (default "sqf")
    otherwise                  over the HTTP API at SQUADFLOW_URL (default http://127.0.0.1:8080),
                               with SQUADFLOW_TOKEN as the bearer token when the server has tokens
  Nothing answers: exit 5, saying where it looked. Only "run" works without a server: with neither
  SQUADFLOW_URL nor SQUADFLOW_NATS_URL set it starts a one-shot in-memory squadflow in its own
  process (every seed squad and workflow), says so on stderr, and stops it when the run ends.`;

const ENVIRONMENT = `Environment:
  SQUADFLOW_URL         the HTTP API of a running squadflow (default http://127.0.0.1:8080)
  SQUADFLOW_TOKEN       bearer token for it (one of the server's SQUADFLOW_API_TOKENS)
  SQUADFLOW_NATS_URL    NATS server(s), comma-separated: talk over NATS instead (start/squad: run on NATS)
  SQUADFLOW_PREFIX      prefix of subjects, streams and buckets on NATS (default sqf)
  SQUADFLOW_PORT        start: the HTTP port to serve (default 8080)
  SQUADFLOW_LOG_LEVEL   engine log level on stderr (default: error for commands, info for start/squad)
  SQUADFLOW_CHAIN_HANDOFFS, SQUADFLOW_HANDOFF_MAX_HOPS
                        start, run (one-shot), squad agency: each agency handoff starts the next
                        (default true), at most this many hops per chain (default 5; docs/handoffs.md)`;

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
    'Examples:',
    '  squadflow start                                      # terminal 1: the all-in-one, in memory',
    '  squadflow trigger abandoned_cart_recovery --data \'{"customer_phone":"+5511999999999","abandoned_items":[{"id":"prod_1"}]}\'',
    '  squadflow status <execution-id> --watch',
    '  squadflow workflows apply path/to/definitions/ --dry-run',
    '  squadflow run offer_to_marketing --input examples/handoffs/offer_to_marketing.json --output /tmp/out.json   # one-shot, no server',
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
