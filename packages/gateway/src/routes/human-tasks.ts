/** Human tasks: the inbox of human steps waiting for a decision, and the decision (approve or reject). */
import { HumanDecisionSchema } from '@squadflow/engine';
import { ExecutionIdSchema, NameSchema } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';

const HumanTaskSchema = z.object({
  executionId: z.string(),
  workflow: z.string(),
  version: z.number().int().optional(),
  step: z.string(),
  title: z.string().optional(),
  assignee: z.string().describe('who is asked now (the escalation target once escalated)'),
  escalationLevel: z.number().int(),
  escalationChain: z.array(z.string()).describe('everyone asked so far, in order: the first assignee, then each escalation target'),
  startedAt: z.number(),
  dueAt: z.number().optional().describe("when the task times out (the step's timeout)"),
  nextEscalationAt: z.number().optional(),
  signalKey: z.string().describe('the correlation key a decision is delivered on'),
});

const ListQuery = z.object({
  assignee: z.string().min(1).max(256).optional(),
  workflow: NameSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

export function registerHumanTaskRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/human-tasks',
      operationId: 'listHumanTasks',
      summary: 'Human steps waiting for a decision, newest first (`?assignee=`, `?workflow=`, `?limit=` default 100)',
      description:
        'Read from the listing index: the records of `waiting` and `running` executions of workflows that have a human step (one read each), not every stored execution.',
      tags: ['human-tasks'],
      access: 'read',
      query: ListQuery,
      responses: { 200: { description: 'the open tasks', schema: z.object({ tasks: z.array(HumanTaskSchema) }) } },
      handler: async ({ query }) => ({ tasks: await client.listHumanTasks(query) }),
    }),
  );

  routes.add(
    defineRoute({
      method: 'POST',
      url: '/v1/human-tasks/:executionId/:step',
      operationId: 'decideHumanTask',
      summary: 'Approve or reject a human task',
      description:
        'The step completes with the output `{ approved, decision, comment?, data?, by }` (`by`: the token name), which later steps read as ' +
        '`$steps.<step>.approved`. Of two decisions sent at once the first applied wins.',
      tags: ['human-tasks'],
      access: ['admin', 'trigger'],
      params: z.object({ executionId: ExecutionIdSchema, step: NameSchema }),
      body: { schema: HumanDecisionSchema, required: true },
      responses: {
        202: {
          description: 'the decision was delivered',
          schema: z.object({ task: HumanTaskSchema, decision: z.enum(['approve', 'reject']) }),
        },
        404: { description: 'no such open task (`EXECUTION_NOT_FOUND`)' },
        409: { description: 'the task was already decided, timed out, or its execution ended (`CONFLICT`)' },
      },
      handler: async ({ params, body, request, reply }) => {
        const decision = body!;
        const task = await client.decideHumanTask(params.executionId, params.step, decision, request.principal?.name ?? 'anonymous');
        return reply.code(202).send({ task, decision: decision.decision });
      },
    }),
  );
}
