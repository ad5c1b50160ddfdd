import type { NatsConnection } from '@nats-io/transport-node';
import type { Transport } from '../ports.ts';

/**
 * The NATS connection behind each NATS transport. The `Transport` port stays
 * infrastructure-neutral; the few features that exist only on NATS (the
 * services API that squads register with) reach the connection through here.
 * A WeakMap, so a closed transport is not kept alive by this registry.
 */
const connections = new WeakMap<Transport, NatsConnection>();

/** Called by the NATS adapter when it builds a transport. */
export function registerNatsConnection(transport: Transport, nc: NatsConnection): void {
  connections.set(transport, nc);
}

/** The NATS connection of a NATS transport; `undefined` for the in-memory transport (or a wrapper around one). */
export function natsConnectionOf(transport: Transport): NatsConnection | undefined {
  return connections.get(transport);
}
