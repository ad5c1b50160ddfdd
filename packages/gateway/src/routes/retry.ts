/** Retry from a step: an operator runs a failed or escalated execution again from one of its completed steps. */
import { NameSchema } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ExecutionIdParams } from '../schemas.ts';

const RetryBody = z.strictObject({ fromStep: NameSchema.describe('a completed step of the execution') });

const RetryAcceptedSchema = z.object({
  executionId: z.string(),
  action: z.literal('retry_from_step'),
  fromStep: z.string(),
  controlId: z.string().describe("the rewind's id: the execution lists it in `rewinds` once applied"),
  steps: z.array(z.string()).describe('the steps that run again (as the execution stood when asked), in definition order'),
  accepted: z.literal(true),
});

export function registerRetryRoute({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'POST',
      url: '/v1/executions/:id/retry',
      operationId: 'retryFromStep',
      summary: 'Retry from a step: run a failed or escalated execution again from a completed step',
      description:
        'The steps before `fromStep` keep their outputs; `fromStep`, every step that did not settle and every step after them ' +
        'run again with new attempt numbers. Earlier attempts stay in the history and the execution lists the rewind in ' +
        '`rewinds` (lifecycle event `execution.rewound`). 400 when `fromStep` is missing, unknown or not a completed step ' +
        '(the issue names `fromStep`); 404 for an unknown execution; 409 when the execution is not failed or escalated, its ' +
        'saga ran, or the engine quarantined it. A refused request changes nothing.',
      tags: ['control'],
      access: 'admin',
      params: ExecutionIdParams,
      body: { schema: RetryBody, required: true },
      responses: {
        202: { description: 'accepted: the orchestrator rewinds it shortly (poll the execution)', schema: RetryAcceptedSchema },
      },
      handler: async ({ params, body, reply }) => {
        const accepted = await client.retryFromStep(params.id, body!.fromStep);
        return reply.code(202).send({ ...accepted, action: 'retry_from_step', accepted: true });
      },
    }),
  );
}
