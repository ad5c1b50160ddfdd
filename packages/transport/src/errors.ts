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
 * Thrown by `Streams.publish` and KV writes when the message is larger than
 * the transport accepts (`Transport.maxPayload`). Nothing was sent: the
 * same call fails the same way every time, so retrying it is pointless.
 */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(
    /** The subject published to, or `<bucket>/<key>` for a KV write. */
    readonly target: string,
    /** Payload bytes (without headers). */
    readonly bytes: number,
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    super(`payload of ${bytes} bytes for ${target} is over the ${limit}-byte limit`, options);
  }
}

/** Thrown by a KV write to a bucket created with `maxBytes` that holds as much as it may (nothing is dropped to make room). */
export class KvBucketFullError extends Error {
  override readonly name = 'KvBucketFullError';
  readonly code = 'BUCKET_FULL';
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`bucket ${bucket} is full; ${key} was not written`, options);
  }
}

/** Which limit of a full stream refused a publish (the only one squadflow sets; see `StreamConfig.maxMsgs`). */
export type StreamLimit = 'max_msgs';

/**
 * Thrown by `Streams.publish` when the stream capturing the subject holds
 * as many messages as its `maxMsgs` allows (discard-new: nothing is
 * dropped to make room, the new message is refused and was not stored).
 * Back-pressure: it heals as consumers acknowledge, so retry later.
 */
export class StreamFullError extends Error {
  override readonly name = 'StreamFullError';
  readonly code = 'STREAM_FULL';
  constructor(
    readonly subject: string,
    readonly limit: StreamLimit,
    options?: { cause?: unknown },
  ) {
    super(`the stream capturing ${subject} is full (its ${limit} limit is reached); the message was not stored`, options);
  }
}
