import type { CliError } from './exit-codes.ts';

/** Where the CLI writes: stdout for results, stderr for progress and errors. Swappable in tests. */
export interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Human vs `--json` output. Results go to stdout: as text for people, as one
 * JSON document (or one JSON line per event in live views) with `--json`.
 * Progress notes and errors go to stderr, so stdout stays parseable.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly streams: Streams = process,
  ) {}

  /** The command's result: `value` as JSON, or the human rendering. */
  result(value: unknown, human: () => string): void {
    this.streams.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : ensureNewline(human()));
  }

  /** One event of a live view: a JSON line, or a human line. */
  event(value: unknown, human: () => string): void {
    this.streams.stdout.write(this.json ? `${JSON.stringify(value)}\n` : ensureNewline(human()));
  }

  /** A progress note for people (stderr; silent with --json). */
  note(text: string): void {
    if (!this.json) this.streams.stderr.write(ensureNewline(text));
  }

  /** A plain stdout line, in both modes (e.g. `ready`, which supervisors wait for). */
  line(text: string): void {
    this.streams.stdout.write(ensureNewline(text));
  }

  /** The error, on stderr: `squadflow: message` plus detail lines, or `{ "error": ... }` with --json. */
  error(err: CliError): void {
    if (this.json) {
      const error = { code: err.code, exitCode: err.exitCode, message: err.message, details: err.details, issues: err.issues };
      this.streams.stderr.write(`${JSON.stringify({ error })}\n`);
      return;
    }
    this.streams.stderr.write(`squadflow: ${err.message}\n${err.details.map((d) => `  ${d}\n`).join('')}`);
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
