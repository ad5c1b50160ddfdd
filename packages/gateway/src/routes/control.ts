/** Operator actions on one execution: start (one created with `start=false`), cancel, pause, resume, and resolving an escalation. */
import { NameSchema } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ControlAcceptedSchema, ExecutionIdParams } from '../schemas.ts';

const ReasonBody = z.object({ reason: z.string().max(2_000).optional() });

const accepted = {
  202: { description: 'accepted: the orchestrator applies it shortly (poll the execution)', schema: ControlAcceptedSchema },
};

export function registerControlRoutes({ client, routes }: GatewayDeps): void {
  // Cancel, pause and resume share one shape: an optional reason (not for resume), answered 202.
  const actions = [
    {
      action: 'start',
      operationId: 'startExecution',
      summary: 'Start an execution created with `start=false` (starting one that already started does nothing)',
      reason: false,
      run: (id: string) => client.start(id),
    },
    {
      action: 'cancel',
      operationId: 'cancelExecution',
      summary: 'Cancel a running execution, or a pending one before it starts',
      reason: true,
      run: (id: string, reason?: string) => client.cancel(id, reason),
    },
    {
      action: 'pause',
      operationId: 'pauseExecution',
      summary: 'Pause: no new step starts and timers wait; steps in flight finish',
      reason: true,
      run: (id: string, reason?: string) => client.pause(id, reason),
    },
    {
      action: 'resume',
      operationId: 'resumeExecution',
      summary: 'Resume a paused execution; timers that fell due meanwhile fire now',
      reason: false,
      run: (id: string) => client.resume(id),
    },
  ] as const;
  for (const { action, operationId, summary, reason, run } of actions) {
    routes.add(
      defineRoute({
        method: 'POST',
        url: `/v1/executions/:id/${action}`,
        operationId,
        summary,
        tags: ['control'],
        access: 'admin',
        params: ExecutionIdParams,
        ...(reason ? { body: { schema: ReasonBody } } : {}),
        responses: accepted,
        handler: async ({ params, body, reply }) => {
          await run(params.id, (body as z.output<typeof ReasonBody> | undefined)?.reason);
          return reply.code(202).send({ executionId: params.id, action, accepted: true });
        },
      }),
    );
  }

  routes.add(
    defineRoute({
      method: 'POST',
      url: '/v1/executions/:id/escalation',
      operationId: 'resolveEscalation',
      summary: 'Resolve an escalated execution: retry the step, skip it, or abort',
      tags: ['control'],
      access: 'admin',
      params: ExecutionIdParams,
      body: {
        schema: z.object({ action: z.enum(['retry', 'skip', 'abort']), step: NameSchema.optional() }),
        required: true,
      },
      responses: accepted,
      handler: async ({ params, body, reply }) => {
        const { action, step } = body!;
        await client.resolveEscalation(params.id, action, step);
        return reply.code(202).send({ executionId: params.id, action, accepted: true });
      },
    }),
  );
}
