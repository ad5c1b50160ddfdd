import { JetStreamApiError, JetStreamError, type ApiError } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { PipelinedRequester } from './pipelined-requester.ts';

/** The acknowledgement JetStream sends for a stored (or deduplicated) message. */
export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

const decoder = new TextDecoder();

/**
 * Publishes to a JetStream subject through `requester` and resolves with the
 * PubAck. The publish is sent before this returns (no `await` before it), so
 * writes issued in one tick share a socket write.
 *
 * Failures, as the nats.js `js.publish` reports them where it matters:
 * a PubAck `{"error": ...}` rejects with `JetStreamApiError` (so `code` is
 * the server's `err_code`, e.g. 10071 for a failed compare-and-set); a
 * reply without a stream name rejects with `JetStreamError("invalid ack
 * response")`; a 503 status (no stream captures the subject) rejects with
 * `RequestNoRespondersError` from the requester.
 */
export async function publishAcked(requester: PipelinedRequester, subject: string, data: Uint8Array, headers?: MsgHdrs): Promise<PubAck> {
  return parsePubAck(await requester.request(subject, data, headers));
}

/** Parses a PubAck payload; throws the server's error as a `JetStreamApiError`. */
export function parsePubAck(data: Uint8Array): PubAck {
  const ack = JSON.parse(decoder.decode(data)) as Partial<PubAck> & { error?: ApiError };
  if (ack.error) throw new JetStreamApiError(ack.error);
  if (!ack.stream || typeof ack.seq !== 'number') throw new JetStreamError('invalid ack response');
  ack.duplicate = ack.duplicate === true;
  return ack as PubAck;
}
