import type { NatsConnection } from '@nats-io/transport-node';
import { HOP_TRACE, hop } from '../hop-trace.ts';

/** The parts of nats.js 3.x's protocol handler that decide when buffered commands reach the socket. */
interface ProtocolInternals {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
}

const encoder = new TextEncoder();

/**
 * Makes the connection write its buffered commands once per event-loop turn
 * instead of once per microtask checkpoint.
 *
 * nats.js flushes its outbound buffer in a `queueMicrotask` after the first
 * command of a batch. A process handling many messages (the orchestrator
 * applying events, a squad answering commands) runs each message's work in
 * its own promise chain, so nearly every publish, KV write and ack ends up in
 * its own `write(2)`: 15–18% of the orchestrator's CPU under load, by the
 * benchmark's profile. Deferring the flush to `setImmediate` lets everything
 * produced while one batch of socket reads is processed leave in one write.
 * A full buffer (the client's `pendingLimit`) still flushes at once, and
 * `flush()`/`drain()`/`close()` flush inline as before, so nothing is held
 * back at shutdown; the added latency is one turn of the event loop.
 *
 * This replaces a method of the client's internal protocol handler (pinned
 * by the lockfile, covered by the adapter's tests). When the internals are
 * not what it expects, it changes nothing and returns false.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: Partial<ProtocolInternals> }).protocol;
  if (
    !protocol ||
    typeof protocol.sendCommand !== 'function' ||
    typeof protocol.flushPending !== 'function' ||
    typeof protocol.outbound?.fill !== 'function' ||
    typeof protocol.pendingLimit !== 'number'
  ) {
    return false;
  }
  const p = protocol as ProtocolInternals;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (HOP_TRACE) hop(`write ${p.outbound.size()}`);
    p.flushPending();
  };
  p.sendCommand = (cmd, ...payloads) => {
    p.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (p.outbound.size() >= p.pendingLimit) p.flushPending();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return true;
}
