/** Workflow definitions: list, read (JSON or YAML), register (versioned), list versions. The drawn workflow: workflow-graph.ts. */
import { serializeDefinition, SquadflowError, WorkflowDefinitionSchema } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { RegisteredWorkflowSchema, WorkflowNameParams, WorkflowSummarySchema, WorkflowVersionSchema } from '../schemas.ts';

const VersionQuery = z.object({ version: z.coerce.number().int().positive().optional() });
const YAML = 'application/yaml';

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
      query: VersionQuery.extend({ format: z.enum(['json', 'yaml']).optional().describe('`yaml`: the definition as YAML text') }),
      responses: {
        200: {
          description: 'the definition, defaults filled in',
          schema: WorkflowDefinitionSchema,
          alternatives: { [YAML]: z.string().describe('with `?format=yaml`') },
        },
      },
      handler: async ({ params, query, reply }) => {
        const definition = await client.getWorkflow(params.name, query.version);
        if (query.format === 'yaml') return reply.type(`${YAML}; charset=utf-8`).send(serializeDefinition(definition, 'yaml'));
        return definition;
      },
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
      url: '/v1/workflows/:name/versions',
      operationId: 'listWorkflowVersions',
      summary: 'Every registered version of a workflow, oldest first, with when it was registered',
      tags: ['workflows'],
      access: 'read',
      params: WorkflowNameParams,
      responses: {
        200: { description: 'the versions', schema: z.object({ workflow: z.string(), versions: z.array(WorkflowVersionSchema) }) },
      },
      handler: async ({ params }) => ({ workflow: params.name, versions: await client.listWorkflowVersions(params.name) }),
    }),
  );
}
