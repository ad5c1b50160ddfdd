/** A workflow drawn: its graph (for the UI), and its statechart as a Mermaid flowchart, the compiled XState JSON, or XState's own Mermaid. */
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ChartStateSchema, WorkflowNameParams } from '../schemas.ts';
import { chartJson, chartMermaid, graphOf, xstateMermaid } from '../statechart.ts';

const VersionQuery = z.object({ version: z.coerce.number().int().positive().optional() });
const MERMAID = 'text/vnd.mermaid';

const GraphNodeSchema = z
  .object({
    id: z.string(),
    type: z.string().describe('task, wait, human; synthetic: start, end, compensation, escalation, escalated, saga'),
    label: z.string(),
    squad: z.string().optional(),
    action: z.string().optional(),
    delayMs: z.number().optional(),
    timeoutMs: z.number().optional(),
    onError: z.string().optional(),
    condition: z.string().optional(),
  })
  .catchall(z.unknown());
const GraphSchema = z.object({
  workflow: z.string(),
  version: z.number().int(),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(
    z.object({
      id: z.string(),
      from: z.string(),
      to: z.string(),
      kind: z.enum(['dependency', 'compensation', 'escalation', 'timeout']),
      label: z.string().optional(),
      on: z.string().optional(),
    }),
  ),
});

export function registerWorkflowGraphRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/:name/graph',
      operationId: 'getWorkflowGraph',
      summary: "A workflow's graph: steps as nodes (squad.action, delays, timeouts, retries, waits, human tasks), edges between them",
      description: 'Built from the definition (latest, or `?version=`). Synthetic nodes and edge kinds: docs/ui-api.md.',
      tags: ['workflows'],
      access: 'read',
      params: WorkflowNameParams,
      query: VersionQuery,
      responses: { 200: { description: 'the graph', schema: GraphSchema } },
      handler: async ({ params, query }) => graphOf(await client.getCompiledWorkflow(params.name, query.version)),
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/:name/statechart',
      operationId: 'getStatechart',
      summary:
        'The workflow as a Mermaid flowchart (`?format=mermaid` or `Accept: text/vnd.mermaid`), the compiled XState chart as JSON ' +
        "(default, `?format=json`), or XState's own states as a Mermaid stateDiagram (`?format=xstate-mermaid`)",
      tags: ['workflows'],
      access: 'read',
      params: WorkflowNameParams,
      query: VersionQuery.extend({ format: z.enum(['json', 'mermaid', 'xstate-mermaid']).optional() }),
      responses: {
        200: {
          description: 'the chart',
          schema: ChartStateSchema,
          alternatives: { [MERMAID]: z.string().describe('a Mermaid flowchart, or a stateDiagram-v2 with `format=xstate-mermaid`') },
        },
      },
      handler: async ({ params, query, request, reply }) => {
        const workflow = await client.getCompiledWorkflow(params.name, query.version);
        if (query.format === 'xstate-mermaid') return reply.type(`${MERMAID}; charset=utf-8`).send(xstateMermaid(workflow));
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
