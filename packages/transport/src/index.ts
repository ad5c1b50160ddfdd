/**
 * `@squadflow/transport`: the ports every component stands on (durable
 * streams, core pub/sub, KV with compare-and-set, a clock), their two
 * adapters (in-memory, the embedded default, and NATS JetStream), the
 * stream topology, and `KvRecords`: schema-checked KV records with the one
 * bounded compare-and-set loop every store uses. Engine, squads and gateway
 * all reach infrastructure only through these ports.
 */
export {
  KvConflictError,
  type Bus,
  type Clock,
  type Consumer,
  type ConsumerBacklog,
  type ConsumerOptions,
  type DeliveredMessage,
  type KvEntry,
  type KvOptions,
  type KvStore,
  type PublishOptions,
  type StreamConfig,
  type Streams,
  type StoredStreamMessage,
  type Tail,
  type TailOptions,
  type Transport,
} from './ports.ts';
export {
  createMemoryTransport,
  connectNatsTransport,
  natsConnectionOf,
  parseServers,
  isTransportUnavailable,
  KvBucketFullError,
  NoStreamError,
  NotFoundError,
  PayloadTooLargeError,
  StreamFullError,
  type StreamLimit,
  /** NATS wildcard matching (`*`, `>`), as the server applies it: for code that filters subjects itself. */
  subjectMatches,
  type MemoryTransport,
  type MemoryTransportOptions,
  type NatsTransportOptions,
} from './adapters.ts';
export {
  DEFAULT_MAX_ATTEMPTS,
  DELETE_RECORD,
  KvRecords,
  kvRecords,
  type KvChange,
  type KvMutateFn,
  type KvMutation,
  type KvRecord,
  type MutateOptions,
} from './kv-records.ts';
export { KvContentionError, KvRecordError } from './kv-record-errors.ts';
export type {
  DiscoveredEndpoint,
  DiscoveredService,
  DiscoverOptions,
  LocalService,
  ServiceDirectory,
  ServiceInfo,
  ServiceStats,
} from './services.ts';
export { ManualClock } from './manual-clock.ts';
export { wallClock, type WallClockOptions } from './wall-clock.ts';
export { ARCHIVE_MAX_AGE_MS, archiveStreamConfig, ensureStreams } from './topology.ts';
export { streamLimitsFromEnv, type StreamLimits, type StreamSizeLimits } from './stream-limits.ts';
export { DEFAULT_MAX_PAYLOAD } from './defaults.ts';
export { startHealthFile, HEALTH_FILE_INTERVAL_MS, type HealthFile, type HealthFileOptions } from './health-file.ts';
export { checkHealth, parseHealthCheckArgs, type HealthCheckOptions, type HealthVerdict } from './health-check.ts';
export { HOP_TRACE, hop } from './hop-trace.ts';
