/**
 * Limits on what the engine client accepts from outside, checked where the
 * payload can still be refused (before anything is published or stored):
 * - depth: a context or signal data nested deeper than `MAX_JSON_DEPTH` is
 *   refused before JSON Schema, zod or `JSON.stringify` recurse into it;
 * - size: the encoded trigger or signal message must fit `maxContextBytes`.
 *
 * Why a context limit well below the server's `max_payload`: the
 * orchestrator keeps the context twice in the execution's KV record (the
 * record's `context` and the snapshot's input), next to every step's output
 * and the commands of the last event. A context that fits one NATS message
 * but not that record would be accepted and then fail on every redelivery.
 * The default, a quarter of `max_payload` (256 KiB on a default server),
 * leaves the other half of the record to steps; a configured limit may not
 * exceed half of `max_payload`.
 */
import { exceedsJsonDepth, jsonDepthError, MAX_JSON_DEPTH, SquadflowError, type ErrorCode } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';

/** Default context limit as a share of the transport's `maxPayload`. */
const DEFAULT_SHARE = 4;
/** The largest configurable context limit as a share of `maxPayload` (the record holds the context twice). */
const MAX_SHARE = 2;

/** Resolves the context limit: configured, or a quarter of the transport's `maxPayload`. Throws `INVALID_CONFIG` above half of it. */
export function contextLimitFor(transport: Transport, configured?: number): () => number {
  if (configured === undefined) return () => Math.floor(transport.maxPayload / DEFAULT_SHARE);
  const ceiling = Math.floor(transport.maxPayload / MAX_SHARE);
  if (!(Number.isInteger(configured) && configured > 0 && configured <= ceiling)) {
    throw new SquadflowError('INVALID_CONFIG', 'invalid context limit', [
      {
        path: 'maxContextBytes',
        message: `must be a whole number of bytes from 1 to ${ceiling} (half of the server's max_payload of ${transport.maxPayload})`,
      },
    ]);
  }
  return () => configured;
}

/** Throws `code` naming `field` when `value` nests deeper than `MAX_JSON_DEPTH`. */
export function assertJsonDepth(value: unknown, field: string, code: ErrorCode): void {
  if (exceedsJsonDepth(value, MAX_JSON_DEPTH)) throw jsonDepthError(field, code);
}

/** Throws `PAYLOAD_TOO_LARGE` naming `field` when an encoded message of `size` bytes is over `limit`. */
export function assertFits(size: number, limit: number, field: string, what: string): void {
  if (size <= limit) return;
  throw tooLarge(field, `${what} would be ${size} bytes`, limit);
}

/** The `PAYLOAD_TOO_LARGE` error for `field`, naming the limit. */
export function tooLarge(field: string, detail: string, limit: number): SquadflowError {
  return new SquadflowError('PAYLOAD_TOO_LARGE', `${field} is too large: ${detail}, the limit is ${limit} bytes`, [
    { path: field, message: `at most ${limit} bytes as JSON (with the message envelope)` },
  ]);
}
