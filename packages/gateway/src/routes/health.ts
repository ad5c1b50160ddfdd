/**
 * Liveness and readiness. `/healthz` says the process serves HTTP; `/readyz`
 * says it can also reach NATS: a KV read on the workflows bucket, bounded by
 * a short timeout, because the NATS client keeps reconnecting forever and
 * would otherwise just hang. The memory transport is always ready.
 */
import type { Transport } from '@squadflow/transport';
import type { Names } from '@squadflow/shared';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { HealthSchema } from '../schemas.ts';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

/** Checks that the transport answers a KV read within `timeoutMs`. */
export async function checkReadiness(transport: Transport, names: Names, timeoutMs: number): Promise<Readiness> {
  if (transport.kind === 'memory') return { ready: true };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `NATS did not answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const probe = (async (): Promise<Readiness> => {
    const kv = await transport.kv(names.buckets.workflows);
    await kv.get('readyz');
    return { ready: true };
  })().catch((err: unknown): Readiness => ({ ready: false, reason: `NATS: ${(err as Error).message}` }));
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes({ transport, names, config, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/healthz',
      operationId: 'liveness',
      summary: 'Liveness: the process serves HTTP',
      tags: ['health'],
      access: 'public',
      responses: { 200: { description: 'alive', schema: HealthSchema } },
      handler: async () => ({ status: 'ok' }),
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/readyz',
      operationId: 'readiness',
      summary: 'Readiness: NATS answers (503 when it does not)',
      tags: ['health'],
      access: 'public',
      responses: {
        200: { description: 'ready', schema: HealthSchema },
        503: { description: 'NATS is unreachable', schema: HealthSchema },
      },
      handler: async ({ reply }) => {
        const result = await checkReadiness(transport, names, config.readyTimeoutMs);
        return reply.code(result.ready ? 200 : 503).send({
          status: result.ready ? 'ok' : 'unavailable',
          transport: transport.kind,
          ...(result.reason ? { reason: result.reason } : {}),
        });
      },
    }),
  );
}
