/**
 * Errors both adapters raise with the same shape, so callers can handle them
 * without knowing which transport runs underneath.
 */

/** Thrown by `Streams.publish` when no stream captures the subject (NATS: no responders on the subject). */
export class NoStreamError extends Error {
  override readonly name = 'NoStreamError';
  readonly code = 'NO_STREAM';
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`no stream captures subject ${subject}`, options);
  }
}

/** Thrown when a stream, bucket or consumer the call needs does not exist (e.g. `consume` on a missing stream). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(
    readonly kind: 'stream' | 'bucket',
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind} ${resource} not found`, options);
  }
}
