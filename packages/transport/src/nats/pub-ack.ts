import { JetStreamApiError, JetStreamError, type ApiError } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { PayloadTooLargeError } from '../errors.ts';
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
 * `RequestNoRespondersError` from the requester; a message over the
 * server's `max_payload` rejects with `PayloadTooLargeError` (nothing sent).
 */
export async function publishAcked(requester: PipelinedRequester, subject: string, data: Uint8Array, headers?: MsgHdrs): Promise<PubAck> {
  let reply: Uint8Array;
  try {
    reply = await requester.request(subject, data, headers);
  } catch (err) {
    // The client refuses a message over the server's max_payload before sending anything.
    if (isOverMaxPayload(err)) throw new PayloadTooLargeError(subject, data.length, requester.maxPayload, { cause: err });
    throw err;
  }
  return parsePubAck(reply);
}

/** The client's own refusal of a message larger than the server's `max_payload` (headers included). */
function isOverMaxPayload(err: unknown): boolean {
  return err instanceof Error && err.message.includes('max_payload size exceeded');
}

/** Parses a PubAck payload; throws the server's error as a `JetStreamApiError`. */
export function parsePubAck(data: Uint8Array): PubAck {
  const ack = JSON.parse(decoder.decode(data)) as Partial<PubAck> & { error?: ApiError };
  if (ack.error) throw new JetStreamApiError(ack.error);
  if (!ack.stream || typeof ack.seq !== 'number') throw new JetStreamError('invalid ack response');
  ack.duplicate = ack.duplicate === true;
  return ack as PubAck;
}
