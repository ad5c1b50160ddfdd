/**
 * How long and how much a client may take to send a request, set on
 * purpose rather than left to fastify's defaults (which have no request
 * timeout at all: a client trickling a body one byte a minute would hold its
 * socket and its buffers forever).
 *
 * - `bodyLimit` (fastify): a `Content-Length` over it is answered 413 before
 *   the body is read; a chunked body is counted as it arrives and cut off
 *   as soon as it crosses the limit, so no more than the limit is buffered.
 * - `requestTimeout` (Node): the whole request, headers and body, must
 *   arrive within `requestTimeoutMs`, else 408 and the connection closes.
 *   `headersTimeout` gives the headers at most 10 s of it. Node checks
 *   these on an interval (30 s by default), set here to a quarter of the
 *   timeout, at most 1 s, so a 408 comes within 1.25× the timeout.
 * - `connectionTimeout` (socket inactivity): a connection silent for longer
 *   than the longest `?wait=` plus 30 s is closed. It must not be shorter
 *   than `maxWaitMs`: a trigger waiting for its execution is silent.
 * - `keepAliveTimeout`: fastify's 72 s, longer than common load balancers'
 *   60 s idle timeout, so the balancer closes first.
 * - Headers are Node's 16 KiB (`maxHeaderSize`): 431 beyond.
 *
 * The refusals Node raises before any route runs (408, 431, a malformed
 * request) are answered with the error envelope by `clientErrorHandler`.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { GatewayConfig } from '../config.ts';
import type { ApiErrorCode } from './errors.ts';

const MAX_HEADERS_TIMEOUT_MS = 10_000;
const IDLE_MARGIN_MS = 30_000;
const KEEP_ALIVE_MS = 72_000;

/** The fastify options that bound a connection, from the gateway's settings. */
export function connectionLimits(config: Pick<GatewayConfig, 'bodyLimit' | 'requestTimeoutMs' | 'maxWaitMs'>) {
  const http: ServerOptions = {
    headersTimeout: Math.min(MAX_HEADERS_TIMEOUT_MS, config.requestTimeoutMs),
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.requestTimeoutMs / 4))),
  };
  return {
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.maxWaitMs + IDLE_MARGIN_MS,
    keepAliveTimeout: KEEP_ALIVE_MS,
    http,
  };
}

const CLIENT_ERRORS: Record<string, [number, ApiErrorCode, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request (headers and body) did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'BAD_REQUEST', 'the request headers are larger than 16 KiB'],
};

/**
 * fastify's `clientErrorHandler`: Node's own refusals, before a request
 * reaches a route, answered with the error envelope; the connection closes.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'BAD_REQUEST', 'malformed HTTP request'];
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, message, issues: [] }, requestId: randomUUID() });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
