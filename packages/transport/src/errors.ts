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

/**
 * Thrown by `Streams.publish` when the message (payload plus headers) is
 * larger than the server accepts (`Transport.maxPayload`, NATS `max_payload`).
 * Nothing was sent: the caller must shrink the message, a retry cannot help.
 */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(
    readonly subject: string,
    /** Bytes the message would take (payload plus headers). */
    readonly size: number,
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    super(`message to ${subject} is ${size} bytes, over the ${limit}-byte limit`, options);
  }
}
