import { SquadflowError, type FieldIssue } from '@squadflow/shared';

/**
 * Exit codes scripts can rely on (also in `squadflow --help` and the README).
 * They answer "what should the caller do next?": fix the call (2), look
 * elsewhere (3), wait longer (4), fix the infrastructure (5).
 */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** The execution ended without completing: failed, compensated or cancelled. */
  NOT_COMPLETED: 1,
  /** Usage or bad input: unknown option, bad input file (named with the field), invalid context, a request the execution's state refuses. */
  USAGE: 2,
  /** The workflow, execution, schedule or squad does not exist. */
  NOT_FOUND: 3,
  /** Gave up waiting (`--timeout`). */
  TIMEOUT: 4,
  /** Nothing answers: no squadflow at SQUADFLOW_URL, NATS down, refused, or without JetStream; or the server says "later" (503, 429). */
  UNAVAILABLE: 5,
  /** A bug: an error nobody anticipated. The message says what happened. */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as `--help` prints it. */
export const EXIT_CODES_HELP = `Exit codes:
  0   ok
  1   the execution ended without completing (failed, compensated, cancelled)
  2   usage or bad input (bad option, bad input file: "in.json: product_name: Required",
      invalid context, cancel/resolve of an execution that has ended)
  3   not found (workflow, execution, schedule, squad)
  4   timed out waiting (--timeout)
  5   nothing answers: no squadflow at SQUADFLOW_URL, NATS unreachable (start one: squadflow start)
  70  internal error (a bug)`;

/** An error the CLI reports as is: a message, optional detail lines, and the exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** One line per problem, e.g. `in.json: product_name: Required`. */
    readonly details: readonly string[] = [],
    /** Stable code for `--json` (the SquadflowError code when there is one). */
    readonly code: string = codeName(exitCode),
    /** Fields at fault, for `--json`. */
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

function codeName(exitCode: ExitCode): string {
  return Object.entries(ExitCode).find(([, v]) => v === exitCode)?.[0] ?? 'INTERNAL';
}

const BY_SQUADFLOW_CODE: Partial<Record<SquadflowError['code'], ExitCode>> = {
  INVALID_ARGUMENT: ExitCode.USAGE,
  INVALID_CONTEXT: ExitCode.USAGE,
  INVALID_CONFIG: ExitCode.USAGE,
  INVALID_DEFINITION: ExitCode.USAGE,
  DEFINITION_TOO_LARGE: ExitCode.USAGE,
  INVALID_EXPRESSION: ExitCode.USAGE,
  EXPRESSION_LIMIT: ExitCode.USAGE,
  INVALID_MESSAGE: ExitCode.USAGE,
  EXECUTION_ENDED: ExitCode.USAGE,
  CONFLICT: ExitCode.USAGE,
  PAYLOAD_TOO_LARGE: ExitCode.USAGE,
  WORKFLOW_NOT_FOUND: ExitCode.NOT_FOUND,
  EXECUTION_NOT_FOUND: ExitCode.NOT_FOUND,
  SCHEDULE_NOT_FOUND: ExitCode.NOT_FOUND,
  TIMEOUT: ExitCode.TIMEOUT,
  UNAVAILABLE: ExitCode.UNAVAILABLE,
};

/** Any thrown value as a CliError with the right exit code. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof SquadflowError) {
    // The message already lists the issues; `--json` gets them as data too.
    return new CliError(BY_SQUADFLOW_CODE[err.code] ?? ExitCode.INTERNAL, err.message, [], err.code, err.issues);
  }
  if (isConnectionFailure(err)) {
    return new CliError(ExitCode.UNAVAILABLE, `cannot reach NATS: ${(err as Error).message}`, [], 'UNAVAILABLE');
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return new CliError(ExitCode.INTERNAL, `internal error: ${message}`);
}

/** nats.js connection and JetStream availability errors, recognised by name or code (no import of the client needed). */
function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    /Connection|Timeout|JetStreamNotEnabled|NoResponders|Closed/i.test(err.name) ||
    (typeof code === 'string' && /CONNECTION|ECONNREFUSED|ENOTFOUND|TIMEOUT|503/i.test(code)) ||
    /ECONNREFUSED|connection refused|CONNECTION_REFUSED/i.test(err.message)
  );
}

/** A `SquadflowError` message without the issue list its constructor appends (for showing the issues another way). */
export function messageWithoutIssues(message: string, issues: readonly FieldIssue[]): string {
  const listed = issues.length ? `: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : '';
  return listed && message.endsWith(listed) ? message.slice(0, -listed.length) : message;
}
