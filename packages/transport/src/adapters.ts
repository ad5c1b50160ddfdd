/**
 * The two implementations of the ports: `createMemoryTransport` (embedded
 * default, everything in this process) and `connectNatsTransport`
 * (JetStream streams and KV on a NATS server).
 */
export { createMemoryTransport, type MemoryTransport, type MemoryTransportOptions } from './memory/transport.ts';
export {
  connectNatsTransport,
  fromNatsConnection,
  parseServers,
  type FromConnectionOptions,
  type NatsTransportOptions,
} from './nats/transport.ts';
export { natsConnectionOf } from './nats/connection-of.ts';
export { KvBucketFullError, NoStreamError, NotFoundError, PayloadTooLargeError, StreamFullError, type StreamLimit } from './errors.ts';
export { isTransportUnavailable } from './unavailable.ts';
export { subjectMatches } from './subject-pattern.ts';
