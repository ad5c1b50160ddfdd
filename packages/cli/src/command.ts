import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration, type Config } from '@squadflow/shared';
import { CliError, ExitCode } from './exit-codes.ts';
import type { Output } from './output.ts';

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
    throw usage(command, (err as Error).message);
  }
  const values = parsed.values as CommandContext['values'];
  const { min, max } = command.positionals;
  if (!values['help'] && (parsed.positionals.length < min || parsed.positionals.length > max)) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw usage(command, `expected ${expected} argument(s), got ${parsed.positionals.length}`);
  }
  return { values, positionals: parsed.positionals };
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

/** A positive integer option; a bad one is a usage error naming the option. */
export function intOption(values: CommandContext['values'], name: string, fallback: number): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(ExitCode.USAGE, `--${name}: expected a positive integer, got "${raw}"`);
  return n;
}
