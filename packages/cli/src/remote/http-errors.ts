/**
 * The gateway's error answers (`{ error: { code, message, issues }, requestId }`,
 * packages/gateway/src/http/errors.ts) as the CLI's errors. Engine codes come
 * back as the `SquadflowError` the engine raised, so a command treats them as
 * it would over NATS; the gateway's own codes (auth, rate limit, routes)
 * become `CliError`s that say what to do.
 */
import { SquadflowError, type ErrorCode, type FieldIssue } from '@squadflow/shared';
import { CliError, ExitCode, messageWithoutIssues } from '../exit-codes.ts';
import { HOW_TO_START } from './env.ts';

const ENGINE_CODES = new Set<string>([
  'INVALID_DEFINITION',
  'DEFINITION_TOO_LARGE',
  'INVALID_CONTEXT',
  'INVALID_MESSAGE',
  'INVALID_EXPRESSION',
  'EXPRESSION_LIMIT',
  'INVALID_CONFIG',
  'INVALID_ARGUMENT',
  'WORKFLOW_NOT_FOUND',
  'EXECUTION_NOT_FOUND',
  'SCHEDULE_NOT_FOUND',
  'EXECUTION_ENDED',
  'CONFLICT',
  'TIMEOUT',
  'UNAVAILABLE',
  'PAYLOAD_TOO_LARGE',
] satisfies ErrorCode[]);

interface ErrorEnvelope {
  error: { code: string; message: string; issues?: FieldIssue[] };
  requestId?: string;
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** An HTTP answer of 400 and above as the error to throw. */
export function httpError(url: string, status: number, body: unknown, retryAfter: string | null): Error {
  const wait = retryAfter ? ` (retry after ${retryAfter}s)` : '';
  if (!isEnvelope(body)) {
    if (status === 502 || status === 503 || status === 504)
      return new CliError(ExitCode.UNAVAILABLE, `${url} answered HTTP ${status}${wait}`, HOW_TO_START, 'UNAVAILABLE');
    return new CliError(
      ExitCode.INTERNAL,
      `${url} answered HTTP ${status} without squadflow's error body: is SQUADFLOW_URL a squadflow gateway?`,
      [],
      'UNEXPECTED_ANSWER',
    );
  }
  const { code, message } = body.error;
  const issues = body.error.issues ?? [];
  if (ENGINE_CODES.has(code)) {
    return new SquadflowError(code as ErrorCode, `${messageWithoutIssues(message, issues)}${code === 'UNAVAILABLE' ? wait : ''}`, issues);
  }
  const request = body.requestId ? [`request id: ${body.requestId}`] : [];
  switch (code) {
    case 'UNAUTHENTICATED':
      return new CliError(
        ExitCode.USAGE,
        `${url} requires a bearer token: set SQUADFLOW_TOKEN to one of its tokens (SQUADFLOW_API_TOKENS on the server)`,
        ['SQUADFLOW_TOKEN is missing or not a token this server knows'],
        code,
      );
    case 'FORBIDDEN':
      return new CliError(ExitCode.USAGE, `the token in SQUADFLOW_TOKEN may not do this: ${message}`, [], code);
    case 'RATE_LIMITED':
      return new CliError(ExitCode.UNAVAILABLE, `${message}${wait}`, [], code);
    case 'ROUTE_NOT_FOUND':
      return new CliError(ExitCode.NOT_FOUND, `${url}: ${message} (is SQUADFLOW_URL a squadflow gateway of this version?)`, [], code);
    default:
      if (status >= 500) return new CliError(ExitCode.INTERNAL, `${url} failed: ${message}`, request, code);
      if (status === 404) return new CliError(ExitCode.NOT_FOUND, message, [], code, issues);
      return new CliError(
        ExitCode.USAGE,
        message,
        issues.map((i) => `${i.path || '(root)'}: ${i.message}`),
        code,
        issues,
      );
  }
}

/** A request that got no HTTP answer: nothing listens, the host is unknown, or it timed out. */
export function unreachable(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why =
    (err as Error).name === 'TimeoutError' ? 'no answer in time' : (cause?.code ?? cause?.message ?? (err as Error).message ?? String(err));
  return new CliError(ExitCode.UNAVAILABLE, `no squadflow answers at ${url} (${why})`, HOW_TO_START, 'UNAVAILABLE');
}
