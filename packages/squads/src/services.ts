import type { NatsConnection } from '@nats-io/transport-node';
import { Svcm, type Endpoint, type Service } from '@nats-io/services';
import { names, type Logger } from '@squadflow/shared';
import { randomUUID } from 'node:crypto';
import type { LocalService } from '@squadflow/transport';
import type { SquadDescription } from './directory.ts';
import type { SquadStats } from './stats.ts';

export interface SquadServiceOptions {
  prefix: string;
  description: SquadDescription;
  stats: SquadStats;
  logger: Logger;
}

/**
 * Registers the squad with the NATS services API (`$SRV.PING|INFO|STATS`),
 * so `nats micro ls` and `Svcm.client()` list running replicas and their
 * endpoints. One endpoint per action answers the action's description and
 * JSON Schemas; it never runs the handler (commands go through JetStream,
 * where they are durable). Each endpoint's STATS `data` carries the
 * replica's command counters for that action.
 */
export async function registerSquadService(nc: NatsConnection, options: SquadServiceOptions): Promise<Service> {
  const { prefix, description, stats, logger } = options;
  const squad = description.name;
  const n = names(prefix);
  const actionBySubject = new Map<string, string>();
  // Two copies of the NATS core client types (services pins an older one): same wire, same runtime object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({
    ...serviceIdentity(prefix, description),
    statsHandler: (endpoint: Endpoint) => {
      const action = actionBySubject.get(endpoint.subject);
      return Promise.resolve(action === undefined ? null : (stats.of(action) ?? null));
    },
  });
  for (const [action, info] of Object.entries(description.actions)) {
    const subject = n.services.describe(squad, action);
    actionBySubject.set(subject, action);
    const body = JSON.stringify({ squad, action, ...info });
    service.addEndpoint(action, {
      subject,
      metadata: endpointMetadata(prefix, squad, action, info),
      handler: (err, msg) => {
        if (err) {
          logger.warn({ err, subject }, 'services endpoint error');
          return;
        }
        msg.respond(body);
      },
    });
  }
  void service.stopped.then((err) => {
    if (err) logger.warn({ err }, 'services API registration stopped with an error');
  });
  logger.debug({ service: service.info().name, id: service.info().id }, 'registered with the NATS services API');
  return service;
}

/** The service's name, version, description and metadata, the same on NATS and in process. */
function serviceIdentity(prefix: string, description: SquadDescription) {
  return {
    name: names(prefix).services.name(description.name),
    version: description.version,
    description: description.description ?? `squadflow squad ${description.name}`,
    metadata: { prefix, squad: description.name, runtime: 'squadflow' },
  };
}

/** An action endpoint's metadata: its command subject, description, compensation, timeout and (when at least once) delivery. */
function endpointMetadata(
  prefix: string,
  squad: string,
  action: string,
  info: SquadDescription['actions'][string],
): Record<string, string> {
  return {
    command_subject: names(prefix).command(squad, action),
    ...(info.description === undefined ? {} : { description: info.description }),
    ...(info.compensate === undefined ? {} : { compensate: info.compensate }),
    ...(info.timeoutMs === undefined ? {} : { timeout_ms: String(info.timeoutMs) }),
    ...(info.delivery === undefined ? {} : { delivery: info.delivery }),
  };
}

/**
 * The squad as a service of this process, for the memory transport's
 * directory (`transport.services.register`): the same INFO and STATS a
 * NATS services registration answers, so `GET /v1/squads` shows an
 * embedded squadflow's squads like a distributed one's.
 */
export function localSquadService(prefix: string, description: SquadDescription, stats: SquadStats, startedAt: number): LocalService {
  const identity = serviceIdentity(prefix, description);
  const id = randomUUID().replaceAll('-', '').slice(0, 22);
  const n = names(prefix);
  const endpoints = Object.entries(description.actions).map(([action, info]) => ({
    name: action,
    subject: n.services.describe(description.name, action),
    metadata: endpointMetadata(prefix, description.name, action, info),
  }));
  return {
    info: () => ({ ...identity, id, endpoints }),
    stats: () => ({
      name: identity.name,
      id,
      started: new Date(startedAt).toISOString(),
      // The endpoints serve descriptions, which nobody requests in process: their own counters are zero, as on NATS.
      endpoints: endpoints.map((e) => ({
        name: e.name,
        subject: e.subject,
        num_requests: 0,
        num_errors: 0,
        data: stats.of(e.name) ?? null,
      })),
    }),
  };
}
