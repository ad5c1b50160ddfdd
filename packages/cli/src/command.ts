import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration, type Config } from '@squadflow/shared';
import { CliError, ExitCode } from './exit-codes.ts';
import type { Output } from './output.ts';
import { didYouMean } from './suggest.ts';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What a command's `run` gets: parsed options and positionals, the output, the environment config. */
export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  out: Output;
  config: Config;
}

/** One `squadflow <name>` command (a file under commands/). */
export interface Command {
  name: string;
  /** One line for `squadflow --help`. */
  summary: string;
  /** `run <workflow> --input <file> [...]` */
  usage: string;
  /** More lines for `squadflow <name> --help`. */
  details?: string;
  options: OptionSpecs;
  /** How many positionals the command takes. */
  positionals: { min: number; max: number };
  /** Resolves with the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies OptionSpecs;

/** Parses a command's argv; unknown options and wrong positional counts are usage errors (exit 2). */
export function parseCommandArgs(command: Command, argv: string[]): { values: CommandContext['values']; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage(command, explainParseError(command, err as Error & { code?: string }));
  }
  const values = parsed.values as CommandContext['values'];
  const { min, max } = command.positionals;
  if (!values['help'] && (parsed.positionals.length < min || parsed.positionals.length > max)) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw usage(command, `expected ${expected} argument(s), got ${parsed.positionals.length}`);
  }
  return { values, positionals: parsed.positionals };
}

/** node's parseArgs messages, shortened, with the nearest option for an unknown one. */
function explainParseError(command: Command, err: Error & { code?: string }): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const known = Object.keys({ ...COMMON_OPTIONS, ...command.options }).map((name) => `--${name}`);
    return `unknown option ${unknown}${didYouMean(unknown, known, '')}`;
  }
  return err.message;
}

/** A usage error that shows the command's usage line. */
export function usage(command: Command, message: string): CliError {
  return new CliError(ExitCode.USAGE, `${command.name}: ${message}`, [`usage: squadflow ${command.usage}`]);
}

/** A string option, or undefined. */
export function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A duration option (`30s`, `2m`, `1500`), in ms; a bad one is a usage error naming the option. */
export function durationOption(values: CommandContext['values'], name: string, fallbackMs: number): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallbackMs;
  const ms = parseDuration(/^\d+$/.test(raw) ? Number(raw) : raw);
  if (ms === undefined || ms <= 0)
    throw new CliError(ExitCode.USAGE, `--${name}: expected a duration like 30s, 2m or 1500 (ms), got "${raw}"`);
  return ms;
}

/** `<command> <subcommand> ...`: the subcommand (default `fallback`), checked against `known`, and the rest. */
export function subcommand<S extends string>(
  command: Command,
  positionals: string[],
  known: readonly S[],
  fallback: S,
): { sub: S; args: string[] } {
  const [first, ...args] = positionals;
  if (first === undefined) return { sub: fallback, args };
  if (!known.includes(first as S)) {
    throw usage(command, `unknown subcommand "${first}"${didYouMean(first, known)} (one of ${known.join(', ')})`);
  }
  return { sub: first as S, args };
}

/** Exactly `count` arguments after a subcommand, named in the error. */
export function subArgs(command: Command, sub: string, args: string[], names: string[]): string[] {
  if (args.length !== names.length) {
    const wanted = names.map((n) => `<${n}>`).join(' ');
    throw usage(command, `${sub} takes ${wanted || 'no arguments'}, got ${args.length} argument(s)`);
  }
  return args;
}

/** A positive integer option; a bad one is a usage error naming the option. */
export function intOption(values: CommandContext['values'], name: string, fallback: number): number;
export function intOption(values: CommandContext['values'], name: string, fallback?: number): number | undefined;
export function intOption(values: CommandContext['values'], name: string, fallback?: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(ExitCode.USAGE, `--${name}: expected a positive integer, got "${raw}"`);
  return n;
}
