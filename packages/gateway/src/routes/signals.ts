/** Signals: resume whatever waits on a correlation key. */
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { IdempotencyKeyHeader, SignalAcceptedSchema, SignalKeyParams } from '../schemas.ts';

export function registerSignalRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'POST',
      url: '/v1/signals/:key',
      operationId: 'sendSignal',
      summary: 'Send a signal; the body is its data',
      description:
        'Resumes the wait step parked on `key` (e.g. `ai_conversation_5511999990000`), or an escalated execution ' +
        '(`escalation_<execution id>` with `{ "action": "retry" | "skip" | "abort" }`). A signal that arrives shortly ' +
        'before its wait is armed still resumes it. `Idempotency-Key` becomes the signal id: a repeat is applied once.',
      tags: ['signals'],
      access: 'trigger',
      params: SignalKeyParams,
      headers: z.object({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
      body: { schema: z.unknown().describe('any JSON: the wait step output'), path: 'data' },
      responses: {
        202: {
          description: 'accepted; `waiting` says whether an execution waited on the key when it was sent',
          schema: SignalAcceptedSchema.extend({ waiting: z.boolean() }),
        },
      },
      handler: async ({ params, headers, body, reply }) => {
        const waiting = await client.isWaiting(params.key);
        const key = headers['Idempotency-Key'];
        const signalId = await client.signal(params.key, body, key ? { signalId: key } : {});
        return reply.code(202).send({ key: params.key, signalId, waiting });
      },
    }),
  );
}
