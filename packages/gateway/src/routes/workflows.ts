/** Workflow definitions: list, read, register (versioned), and the compiled statechart. */
import { SquadflowError, WorkflowDefinitionSchema } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ChartStateSchema, RegisteredWorkflowSchema, WorkflowNameParams, WorkflowSummarySchema } from '../schemas.ts';
import { chartJson, chartMermaid } from '../statechart.ts';

const VersionQuery = z.object({ version: z.coerce.number().int().positive().optional() });
const MERMAID = 'text/vnd.mermaid';

export function registerWorkflowRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/workflows',
      operationId: 'listWorkflows',
      summary: 'Registered workflows (latest version of each)',
      tags: ['workflows'],
      access: 'read',
      responses: { 200: { description: 'the workflows', schema: z.object({ workflows: z.array(WorkflowSummarySchema) }) } },
      handler: async () => ({ workflows: await client.listWorkflows() }),
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/:name',
      operationId: 'getWorkflow',
      summary: 'A workflow definition (latest, or `?version=`)',
      tags: ['workflows'],
      access: 'read',
      params: WorkflowNameParams,
      query: VersionQuery,
      responses: { 200: { description: 'the definition, defaults filled in', schema: WorkflowDefinitionSchema } },
      handler: async ({ params, query }) => client.getWorkflow(params.name, query.version),
    }),
  );

  routes.add(
    defineRoute({
      method: 'PUT',
      url: '/v1/workflows/:name',
      operationId: 'registerWorkflow',
      summary: 'Register a definition; an unchanged one keeps its version, a changed one gets the next',
      description: 'The body is the definition (docs/definitions.md). Its `name` must equal the name in the path.',
      tags: ['workflows'],
      access: 'admin',
      params: WorkflowNameParams,
      // The engine validates (shape, then meaning: cycles, unknown dependencies, expressions) with better issue paths than a bare zod parse.
      body: { schema: WorkflowDefinitionSchema, required: true, validate: false },
      responses: {
        200: { description: 'unchanged: the current version', schema: RegisteredWorkflowSchema },
        201: { description: 'a new version', schema: RegisteredWorkflowSchema, headers: { Location: 'the workflow' } },
      },
      handler: async ({ params, body, reply }) => {
        const named = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { name?: unknown }).name : undefined;
        if (named !== undefined && named !== params.name) {
          throw new SquadflowError('INVALID_DEFINITION', 'the definition does not match the path', [
            { path: 'name', message: `must equal the name in the path ("${params.name}")` },
          ]);
        }
        const registered = await client.registerWorkflow(body);
        return reply
          .code(registered.created ? 201 : 200)
          .header('location', `/v1/workflows/${registered.name}`)
          .send(registered);
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/:name/statechart',
      operationId: 'getStatechart',
      summary: 'The compiled XState statechart, as JSON or Mermaid (`?format=mermaid` or `Accept: text/vnd.mermaid`)',
      tags: ['workflows'],
      access: 'read',
      params: WorkflowNameParams,
      query: VersionQuery.extend({ format: z.enum(['json', 'mermaid']).optional() }),
      responses: {
        200: {
          description: 'the chart',
          schema: ChartStateSchema,
          alternatives: { [MERMAID]: z.string().describe('a Mermaid stateDiagram-v2') },
        },
      },
      handler: async ({ params, query, request, reply }) => {
        const workflow = await client.getCompiledWorkflow(params.name, query.version);
        const mermaid = query.format === 'mermaid' || (query.format === undefined && wantsMermaid(request.headers.accept));
        if (mermaid) return reply.type(`${MERMAID}; charset=utf-8`).send(chartMermaid(workflow));
        return chartJson(workflow);
      },
    }),
  );
}

/** `Accept` prefers Mermaid when it names it and does not rank JSON higher. */
function wantsMermaid(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranked = accept.split(',').map((part) => {
    const [type = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    return { type: type.trim().toLowerCase(), q: q === undefined ? 1 : Number(q) };
  });
  const mermaid = ranked.find((r) => r.type === MERMAID)?.q ?? 0;
  const json = ranked.find((r) => r.type === 'application/json')?.q ?? 0;
  return mermaid > 0 && mermaid >= json;
}
