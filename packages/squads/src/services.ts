import type { NatsConnection } from '@nats-io/transport-node';
import { Svcm, type Endpoint, type Service } from '@nats-io/services';
import { names, type Logger } from '@squadflow/shared';
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
    name: n.services.name(squad),
    version: description.version,
    description: description.description ?? `squadflow squad ${squad}`,
    metadata: { prefix, squad, runtime: 'squadflow' },
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
      metadata: {
        command_subject: n.command(squad, action),
        ...(info.description === undefined ? {} : { description: info.description }),
        ...(info.compensate === undefined ? {} : { compensate: info.compensate }),
        ...(info.timeoutMs === undefined ? {} : { timeout_ms: String(info.timeoutMs) }),
      },
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
