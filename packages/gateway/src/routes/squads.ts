/** Squads: the running replicas of each squad, its actions and counters, from the services API (`$SRV.INFO` / `$SRV.STATS`). */
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../http/errors.ts';
import { defineRoute } from '../http/route.ts';
import { squadsOf } from '../squad-directory.ts';

const StatsSchema = z.object({
  requests: z.number(),
  errors: z.number(),
  inFlight: z.number(),
  averageProcessingMs: z.number().optional(),
});

const SquadSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  instances: z.array(z.object({ id: z.string(), version: z.string().optional(), startedAt: z.number().optional() })),
  actions: z.array(
    z.object({
      name: z.string(),
      description: z.string().optional(),
      compensate: z.string().optional(),
      timeoutMs: z.number().optional(),
      commandSubject: z.string().optional(),
      stats: StatsSchema,
    }),
  ),
  stats: StatsSchema,
});

export function registerSquadRoutes({ transport, names, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/squads',
      operationId: 'listSquads',
      summary: 'Running squads: instances, actions and counters (NATS services API; in process on the embedded runtime)',
      description:
        'Collected for up to `?waitMs=` (default 500, at most 5,000) or until answers stall. Squads with no running instance are not listed.',
      tags: ['squads'],
      access: 'read',
      query: z.object({ waitMs: z.coerce.number().int().min(50).max(5_000).optional() }),
      responses: { 200: { description: 'the squads', schema: z.object({ squads: z.array(SquadSchema) }) } },
      handler: async ({ query }) => {
        if (!transport.services) throw new HttpError(503, 'NOT_CONFIGURED', 'this transport cannot discover services');
        const found = await transport.services.discover(query.waitMs === undefined ? {} : { waitMs: query.waitMs });
        return { squads: squadsOf(found, names.prefix) };
      },
    }),
  );
}
