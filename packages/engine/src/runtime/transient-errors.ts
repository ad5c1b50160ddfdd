/**
 * Failures of infrastructure rather than of an event: a lost compare-and-set
 * race, NATS unreachable or slow, a bucket or stream missing, the transport
 * closing. They say nothing about the event being applied, so they never
 * count towards quarantining its execution (poison-guard.ts); the message is
 * retried (with back-off) for as long as they last.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'CONFLICT', // KvConflictError
  'CONTENTION', // KvContentionError
  'REQUEST_TIMEOUT', // the NATS adapter's requests
  'REQUEST_STATUS',
  'NO_RESPONDERS',
  'REQUESTER_CLOSED',
  'NO_STREAM',
  'NOT_FOUND',
  'BUCKET_FULL',
  'STREAM_FULL', // StreamFullError: back-pressure from a work queue at its limit
  'UNAVAILABLE', // SquadflowError: the transport is closed
]);

/** Errors the NATS client raises itself (by name: the engine never imports it). */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'RequestError',
  'TimeoutError',
  'NoResponders',
  'AuthorizationError',
  'UserAuthenticationExpiredError',
  'PermissionViolationError',
  'JetStreamApiError',
  'JetStreamError',
]);

/** Whether `err` is an infrastructure failure (see above), by its `code` or, for the NATS client's own errors, its name. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && TRANSIENT_CODES.has(code)) || TRANSIENT_NAMES.has(err.name);
}
