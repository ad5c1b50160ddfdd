/**
 * Service discovery, the NATS services API way (`$SRV.INFO` and
 * `$SRV.STATS`, the protocol `nats micro ls` and `@nats-io/services`
 * speak): which instances of which services run, their endpoints and their
 * counters. On NATS every registered service answers; on the memory
 * transport, services in the process register here (`register`) and
 * `discover` answers from them, so an embedded squadflow shows its squads
 * the same way.
 */
import { z } from 'zod';

/** `$SRV.INFO` answer (io.nats.micro.v1.info_response), the fields used. */
export const ServiceInfoSchema = z.object({
  name: z.string(),
  id: z.string(),
  version: z.string(),
  description: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  endpoints: z.array(z.object({ name: z.string(), subject: z.string(), metadata: z.record(z.string(), z.string()).nullish() })).nullish(),
});
export type ServiceInfo = z.output<typeof ServiceInfoSchema>;

/** `$SRV.STATS` answer (io.nats.micro.v1.stats_response); times in nanoseconds, `started` ISO 8601. */
export const ServiceStatsSchema = z.object({
  name: z.string(),
  id: z.string(),
  started: z.string().optional(),
  endpoints: z
    .array(
      z.object({
        name: z.string(),
        subject: z.string(),
        num_requests: z.number().optional(),
        num_errors: z.number().optional(),
        processing_time: z.number().optional(),
        average_processing_time: z.number().optional(),
        data: z.unknown().optional(),
      }),
    )
    .nullish(),
});
export type ServiceStats = z.output<typeof ServiceStatsSchema>;

/** One endpoint of an instance: what INFO says, with the counters STATS gave (when it answered). */
export interface DiscoveredEndpoint {
  name: string;
  subject: string;
  metadata: Record<string, string>;
  requests?: number;
  errors?: number;
  averageProcessingMs?: number;
  /** The service's own statistics for the endpoint (`data` of STATS). */
  data?: unknown;
}

/** One running instance of a service. */
export interface DiscoveredService {
  name: string;
  id: string;
  version: string;
  description?: string;
  metadata: Record<string, string>;
  /** When the instance started (epoch ms), from STATS. */
  startedAt?: number;
  endpoints: DiscoveredEndpoint[];
}

/** A service in this process, as the memory transport's directory asks it. */
export interface LocalService {
  info(): ServiceInfo;
  stats(): ServiceStats;
}

export interface DiscoverOptions {
  /** Only instances of this service name. */
  name?: string;
  /** How long to collect answers on NATS (default 500 ms; it stops earlier once answers stall). */
  waitMs?: number;
}

export interface ServiceDirectory {
  /** Every instance that answers (INFO joined with STATS by instance id), sorted by name then id. */
  discover(options?: DiscoverOptions): Promise<DiscoveredService[]>;
  /**
   * Registers a service of this process (memory transport only; on NATS,
   * services register with the services API themselves). Returns the
   * function that removes it.
   */
  register?(service: LocalService): () => void;
}

/** INFO and STATS answers joined per instance: what both adapters return. */
export function joinServiceAnswers(infos: ServiceInfo[], stats: ServiceStats[]): DiscoveredService[] {
  const statsById = new Map(stats.map((s) => [s.id, s]));
  return infos
    .map((info): DiscoveredService => {
      const s = statsById.get(info.id);
      const started = s?.started === undefined ? NaN : Date.parse(s.started);
      return {
        name: info.name,
        id: info.id,
        version: info.version,
        ...(info.description ? { description: info.description } : {}),
        metadata: info.metadata ?? {},
        ...(Number.isFinite(started) ? { startedAt: started } : {}),
        endpoints: (info.endpoints ?? []).map((e) => {
          const es = s?.endpoints?.find((x) => x.name === e.name);
          return {
            name: e.name,
            subject: e.subject,
            metadata: e.metadata ?? {},
            ...(es?.num_requests === undefined ? {} : { requests: es.num_requests }),
            ...(es?.num_errors === undefined ? {} : { errors: es.num_errors }),
            ...(es?.average_processing_time === undefined ? {} : { averageProcessingMs: es.average_processing_time / 1e6 }),
            ...(es?.data === undefined || es.data === null ? {} : { data: es.data }),
          };
        }),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
