/**
 * `@squadflow/transport`: the ports every component stands on (durable
 * streams, core pub/sub, KV with compare-and-set, a clock), their two
 * adapters (in-memory, the embedded default, and NATS JetStream), and the
 * stream topology. Engine, squads and gateway all reach infrastructure only
 * through these ports.
 */
export {
  KvConflictError,
  systemClock,
  type Bus,
  type Clock,
  type Consumer,
  type ConsumerOptions,
  type DeliveredMessage,
  type KvEntry,
  type KvStore,
  type PublishOptions,
  type StreamConfig,
  type Streams,
  type Transport,
} from './ports.ts';
export {
  createMemoryTransport,
  connectNatsTransport,
  fromNatsConnection,
  natsConnectionOf,
  parseServers,
  subjectMatches,
  NoStreamError,
  NotFoundError,
  type FromConnectionOptions,
  type MemoryTransport,
  type MemoryTransportOptions,
  type NatsTransportOptions,
} from './adapters.ts';
export { ManualClock } from './manual-clock.ts';
export { DUPLICATE_WINDOW_MS, ensureStreams, removeTopology, streamConfigs } from './topology.ts';
