import { SquadflowError } from '@squadflow/shared';
import type { StreamConfig } from './ports.ts';

/** Defaults shared by both adapters, so an unset option means the same thing embedded and on NATS. */
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_ACK_PENDING = 256;
/** NATS' default `max_payload` (1 MiB): the memory adapter's limit unless told otherwise. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** JetStream's default dedup window. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/**
 * Bytes a stream publish puts against `max_payload`: the payload plus the
 * header block carrying `Nats-Msg-Id` and any other headers
 * (`NATS/1.0\r\nNats-Msg-Id: <id>\r\ntraceparent: <tp>\r\n\r\n`), as the
 * NATS client counts them. The memory adapter uses it so a message
 * one adapter refuses, the other refuses too.
 */
export function publishedSize(data: Uint8Array, msgId?: string, headers?: Readonly<Record<string, string>>): number {
  let extra = 0;
  for (const name in headers) extra += Buffer.byteLength(name) + Buffer.byteLength(headers[name]!) + HEADER_LINE_OVERHEAD;
  if (msgId) extra += MSG_ID_HEADER_OVERHEAD + Buffer.byteLength(msgId);
  else if (extra) extra += HEADER_BLOCK_OVERHEAD;
  return data.length + extra;
}
/** `NATS/1.0\r\n` … `\r\n`: the header block around the lines. */
const HEADER_BLOCK_OVERHEAD = 'NATS/1.0\r\n\r\n'.length;
/** `: ` and `\r\n` of one header line. */
const HEADER_LINE_OVERHEAD = ': \r\n'.length;
const MSG_ID_HEADER_OVERHEAD = HEADER_BLOCK_OVERHEAD + 'Nats-Msg-Id'.length + HEADER_LINE_OVERHEAD;

/**
 * The dedup window the server applies: never longer than `maxAgeMs` (the
 * server refuses a window longer than the max age, and cannot dedup what it
 * no longer holds).
 */
export function effectiveDuplicateWindow(config: StreamConfig): number {
  const window = config.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  return config.maxAgeMs ? Math.min(window, config.maxAgeMs) : window;
}

/** Resolved and checked durable settings (same validation in both adapters). `maxDeliver` 0: no limit. */
export function consumerSettings(options: { ackWaitMs?: number; maxAckPending?: number; maxDeliver?: number }): {
  ackWaitMs: number;
  maxAckPending: number;
  maxDeliver: number;
} {
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxAckPending = options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING;
  const maxDeliver = options.maxDeliver ?? 0;
  if (!(ackWaitMs > 0)) throw new SquadflowError('INVALID_ARGUMENT', 'ackWaitMs must be positive');
  if (!(Number.isInteger(maxAckPending) && maxAckPending > 0)) {
    throw new SquadflowError('INVALID_ARGUMENT', 'maxAckPending must be a positive integer');
  }
  if (options.maxDeliver !== undefined && !(Number.isInteger(maxDeliver) && maxDeliver > 0)) {
    throw new SquadflowError('INVALID_ARGUMENT', 'maxDeliver must be a positive integer');
  }
  return { ackWaitMs, maxAckPending, maxDeliver };
}
