/** Insights per workflow: durations, outcomes, throughput, critical path, retries and advice (seed 003's monitor and optimiser). */
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { WorkflowNameParams } from '../schemas.ts';

const Duration = z.object({ count: z.number(), p50Ms: z.number(), p95Ms: z.number(), p99Ms: z.number() });

const InsightsSchema = z.object({
  workflow: z.string(),
  sampled: z.number().describe('executions read, newest first'),
  ended: z.number(),
  window: z.object({ from: z.number(), to: z.number() }).nullable().describe('creation times the sample spans (ms since the epoch)'),
  durations: Duration.nullable().describe('ended executions, creation to end'),
  byStatus: z.record(z.string(), z.number()),
  successRate: z.number().nullable(),
  errors: z.array(z.object({ code: z.string(), count: z.number() })),
  throughput: z.array(z.object({ from: z.number(), to: z.number(), started: z.number(), ended: z.number() })),
  steps: z.array(
    Duration.extend({
      step: z.string(),
      action: z.string().optional(),
      retried: z.number(),
      retrySuccessRate: z.number().nullable(),
      criticalShare: z.number().describe('share of ended executions in which the step was on the critical path'),
      meanShareOfDuration: z.number().describe("its mean share of the execution's duration when on the critical path"),
    }),
  ),
  criticalPath: z.array(z.string()).describe('the most frequent critical path of the sample'),
  advice: z.array(
    z.object({ kind: z.enum(['parallelizable', 'slow-step', 'failing-retries']), step: z.string(), message: z.string() }).loose(),
  ),
});

export function registerInsightsRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/:name/insights',
      operationId: 'getWorkflowInsights',
      summary: "A workflow's insights and advice, from its newest executions (`?limit=`, default 500, at most 1,000)",
      tags: ['workflows'],
      access: 'read',
      params: WorkflowNameParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(1_000).optional() }),
      responses: { 200: { description: 'the insights', schema: InsightsSchema } },
      handler: async ({ params, query }) => client.insights(params.name, query.limit),
    }),
  );
}
