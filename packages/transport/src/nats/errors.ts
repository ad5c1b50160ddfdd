import { JetStreamApiError, JetStreamApiCodes } from '@nats-io/jetstream';
import { RequestError } from '@nats-io/transport-node';
import { SquadflowError } from '@squadflow/shared';
import { PipelinedRequestError, RequestNoRespondersError } from './pipelined-requester.ts';

/**
 * How the v3 client reports the failures we translate. JetStream API
 * failures are `JetStreamApiError` with the server's numeric `code`; a
 * client request nobody answers surfaces as `JetStreamNotEnabled` (not
 * exported) wrapping a no-responders `RequestError`. Publishes and KV writes
 * go through `PipelinedRequester` instead: a PubAck error is still a
 * `JetStreamApiError` (see `pub-ack.ts`), no responders is
 * `RequestNoRespondersError`.
 */
export const ApiCodes = {
  ...JetStreamApiCodes,
  /** `stream name already in use with a different configuration` (concurrent create). */
  StreamNameInUse: 10058,
  /** `subjects overlap with an existing stream`: what NATS 2.9 may answer the loser of two concurrent creates of one stream. */
  StreamSubjectOverlap: 10065,
  /** `consumer already exists` (2.10+ create action with a different config). */
  ConsumerExists: 10148,
  /** `multiple non-filtered consumers not allowed on workqueue stream`. */
  WorkQueueMultipleUnfiltered: 10099,
  /** `filtered consumer not unique on workqueue stream`. */
  WorkQueueNotUnique: 10100,
  /** `replicas > 1 not supported in non-clustered mode`. */
  ReplicasNotSupported: 10074,
  /** `insufficient resources` (e.g. fewer JetStream servers in the cluster than replicas asked for). */
  InsufficientResources: 10023,
  /** `no suitable peers for placement`. */
  NoSuitablePeers: 10005,
} as const;

/**
 * The create of `stream` (a stream or a KV bucket's stream) was refused for
 * its replicas: a clear `INVALID_CONFIG` naming SQUADFLOW_REPLICAS, or
 * undefined for any other failure.
 */
export function replicasRefused(err: unknown, stream: string, replicas: number): SquadflowError | undefined {
  if (replicas <= 1 || !isApiError(err, ApiCodes.ReplicasNotSupported, ApiCodes.InsufficientResources, ApiCodes.NoSuitablePeers)) {
    return undefined;
  }
  const why = err.code === ApiCodes.ReplicasNotSupported ? 'the NATS server is not clustered' : `the NATS cluster refused: ${err.message}`;
  return new SquadflowError(
    'INVALID_CONFIG',
    `cannot create ${stream} with ${replicas} replicas: ${why}. ${replicas} replicas need a JetStream cluster of at least ${replicas} servers ` +
      '(docker-compose.cluster.yml); on a single server set SQUADFLOW_REPLICAS=1',
    [{ path: 'SQUADFLOW_REPLICAS', message: `${replicas} replicas: ${why}` }],
    { cause: err },
  );
}

/** True for a JetStream API error with one of `codes`. */
export function isApiError(err: unknown, ...codes: number[]): err is JetStreamApiError {
  return err instanceof JetStreamApiError && codes.includes(err.code);
}

/** True for a failed KV compare-and-set (wrong last subject sequence): a PubAck error 10071 or 10164. */
export function isWrongLastSequence(err: unknown): boolean {
  return isApiError(err, ApiCodes.StreamWrongLastSequence, ApiCodes.StreamWrongLastSequenceUnknown);
}

/** True when the stream (or a KV bucket's stream) does not exist (API error 10059). */
export function isStreamNotFound(err: unknown): boolean {
  return isApiError(err, ApiCodes.StreamNotFound) || (err instanceof Error && err.message === 'stream not found');
}

/** True when a JetStream publish got no responders (503): no stream captures the subject. */
export function isNoResponders(err: unknown): boolean {
  if (err instanceof RequestNoRespondersError) return true;
  if (!(err instanceof Error)) return false;
  const cause = err.cause;
  return (cause instanceof RequestError && cause.isNoResponders()) || (err instanceof RequestError && err.isNoResponders());
}

/** True when the client refused a publish over the server's `max_payload` (thrown before anything is sent). */
export function isMaxPayloadExceeded(err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidArgumentError' && err.message.includes('max_payload');
}

/**
 * nats.js errors (matched by name: two nats-core versions are installed, so
 * `instanceof` would miss one) that mean the server did not answer or the
 * connection is not usable right now.
 */
const UNREACHABLE_NAMES = new Set([
  'TimeoutError',
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'RequestError',
  'NoResponders',
  'JetStreamNotEnabled',
]);

/**
 * True when a NATS call failed because the server could not be reached or
 * did not answer in time (the call may or may not have taken effect): our
 * requester's timeouts, status answers and shutdowns, and the client's own
 * timeout and connection errors.
 */
export function isNatsUnreachable(err: unknown): boolean {
  return err instanceof PipelinedRequestError || (err instanceof Error && UNREACHABLE_NAMES.has(err.name));
}

/** True when a write was refused because its KV bucket (stream) holds its `max_bytes` (discard-new policy). */
export function isBucketFull(err: unknown): boolean {
  return err instanceof JetStreamApiError && /maximum bytes exceeded/i.test(err.message);
}

/**
 * Which limit a PubAck error reports as reached on a discard-new stream
 * (`maximum messages exceeded`: JetStream sends err_code 10077 with that
 * description), or null for anything else.
 */
export function streamLimitReached(err: unknown): 'max_msgs' | null {
  return err instanceof JetStreamApiError && /maximum messages exceeded/i.test(err.message) ? 'max_msgs' : null;
}
