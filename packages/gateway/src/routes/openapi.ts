import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { buildOpenApi } from '../openapi.ts';
import { z } from 'zod';

/** `GET /openapi.json`: built once, on first request, when every route is registered. */
export function registerOpenApiRoute({ routes }: GatewayDeps): void {
  let document: Record<string, unknown> | undefined;
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      operationId: 'openapi',
      summary: 'This document (OpenAPI 3.1)',
      tags: ['meta'],
      access: 'public',
      responses: { 200: { description: 'the OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
      handler: async () => (document ??= buildOpenApi(routes.routes, { version: '0.1.0' })),
    }),
  );
}
