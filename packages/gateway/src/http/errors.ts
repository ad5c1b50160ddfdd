/**
 * Every error answer has the same shape:
 * `{ error: { code, message, issues: [{ path, message }] }, requestId }`,
 * with a stable `code`. Engine errors (`SquadflowError`) keep their code; the
 * gateway adds its own for HTTP concerns (`INVALID_JSON`, `UNAUTHENTICATED`,
 * `RATE_LIMITED`, ...). The table is in packages/gateway/README.md.
 */
import { TriggerNotConfirmedError } from '@squadflow/engine';
import { SquadflowError, type ErrorCode, type FieldIssue } from '@squadflow/shared';
import { isTransportUnavailable, StreamFullError } from '@squadflow/transport';

/** Codes the gateway adds to the engine's `ErrorCode`s. */
export type GatewayErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_PAYLOAD'
  | 'INVALID_SIGNATURE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'ROUTE_NOT_FOUND'
  | 'WEBHOOK_NOT_FOUND'
  | 'NOT_FOUND'
  | 'URI_TOO_LONG'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_ACCEPTABLE'
  | 'RATE_LIMITED'
  | 'NOT_CONFIGURED'
  | 'BAD_REQUEST'
  | 'INTERNAL';

export type ApiErrorCode = ErrorCode | GatewayErrorCode;

/**
 * Machine-readable facts some errors add (a 503 trigger: `{ outcome: 'unknown', executionId, idempotencyKey }`;
 * a 503 from a full stream: `{ outcome: 'refused', reason: 'STREAM_FULL', limit: 'max_msgs' }`).
 */
export type ErrorDetails = Record<string, unknown>;

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; issues: FieldIssue[]; details?: ErrorDetails };
  requestId: string;
}

/** An error raised on purpose by a route, with its HTTP status. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }
}

/**
 * HTTP status of each engine code. A body that is valid JSON but fails the
 * workflow's definition or context schema is 422 (the request was understood;
 * its content is wrong); a request we cannot read (bad JSON, bad parameter,
 * bad webhook envelope) is 400.
 */
export const STATUS_OF: Record<ErrorCode, number> = {
  INVALID_DEFINITION: 422,
  // The content is too large to process (a limit of docs/definitions.md), whatever the body limit let through.
  DEFINITION_TOO_LARGE: 413,
  INVALID_CONTEXT: 422,
  INVALID_EXPRESSION: 422,
  EXPRESSION_LIMIT: 422,
  INVALID_MESSAGE: 400,
  INVALID_CONFIG: 400,
  INVALID_ARGUMENT: 400,
  WORKFLOW_NOT_FOUND: 404,
  EXECUTION_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  EXECUTION_ENDED: 409,
  CONFLICT: 409,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
};

/** What a 503 `UNAVAILABLE` tells the caller to wait before retrying. */
export const RETRY_AFTER_SECONDS = 5;

/** fastify's own errors, by their `code`. */
const FASTIFY: Record<string, [number, ApiErrorCode]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'INVALID_JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST'],
};

export interface ErrorAnswer {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Unexpected: log with the stack. */
  internal: boolean;
}

/** Maps anything thrown while serving a request to the answer the client gets. */
export function toErrorAnswer(err: unknown, requestId: string): ErrorAnswer {
  const answer = (
    statusCode: number,
    code: ApiErrorCode,
    message: string,
    issues: FieldIssue[] = [],
    headers: Record<string, string> = {},
    internal = false,
    details?: ErrorDetails,
  ): ErrorAnswer => ({
    statusCode,
    body: { error: { code, message, issues, ...(details ? { details } : {}) }, requestId },
    // Every "try again later" says when.
    headers: statusCode === 503 && code === 'UNAVAILABLE' ? { 'retry-after': String(RETRY_AFTER_SECONDS), ...headers } : headers,
    internal,
  });
  if (err instanceof HttpError) return answer(err.statusCode, err.code, err.message, err.issues, err.headers, false, err.details);
  if (err instanceof TriggerNotConfirmedError) {
    const key = err.idempotencyKey;
    return answer(503, 'UNAVAILABLE', err.message, [], key ? { 'idempotency-key': key } : {}, false, {
      outcome: 'unknown',
      executionId: err.executionId,
      ...(key ? { idempotencyKey: key } : {}),
    });
  }
  if (err instanceof StreamFullError) {
    // Back-pressure: nothing was stored, and room comes back as the orchestrators catch up.
    return answer(
      503,
      'UNAVAILABLE',
      `the inbound stream is at its ${err.limit} limit (SQUADFLOW_INBOUND_MAX_MSGS): the message was not stored; retry later`,
      [],
      {},
      false,
      {
        outcome: 'refused',
        reason: 'STREAM_FULL',
        limit: err.limit,
      },
    );
  }
  if (err instanceof SquadflowError) return answer(STATUS_OF[err.code] ?? 500, err.code, err.message, err.issues);
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const fastify = typeof e.code === 'string' ? FASTIFY[e.code] : undefined;
  if (fastify) return answer(fastify[0], fastify[1], String(e.message ?? fastify[1]));
  if (isTransportUnavailable(err)) return answer(503, 'UNAVAILABLE', 'NATS is not reachable; retry later');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return answer(e.statusCode, 'BAD_REQUEST', String(e.message ?? 'bad request'));
  }
  // Unexpected: the message may carry internals, so the client gets a generic one (the log has the rest).
  return answer(500, 'INTERNAL', 'internal error', [], {}, true);
}
