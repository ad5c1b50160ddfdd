/** Starting executions and reading them: trigger (optionally waiting for the end), one execution, pages of executions. */
import { randomUUID } from 'node:crypto';
import { ExecutionStatusSchema, JsonObjectSchema, NameSchema, parseDuration, SquadflowError, TERMINAL_STATUSES } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { redactSecrets } from '../http/secret-redaction.ts';
import {
  AcceptedExecutionSchema,
  ExecutionIdParams,
  ExecutionDetailSchema,
  ExecutionPageSchema,
  ExecutionViewSchema,
  IdempotencyKeyHeader,
  WaitQuerySchema,
  WorkflowNameParams,
} from '../schemas.ts';

/** `/v1/executions/{id}`: where an execution can be polled. */
export const executionLocation = (id: string): string => `/v1/executions/${id}`;

/** Epoch ms (`1700000000000`) or an ISO 8601 date-time. */
export const TimeQuery = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 date-time' });
    return z.NEVER;
  }
  return ms;
});

const ListQuery = z.object({
  workflow: NameSchema.optional(),
  status: z
    .string()
    .describe('one status or several, comma-separated: running,waiting')
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(ExecutionStatusSchema).min(1))
    .optional(),
  since: TimeQuery.optional().describe('created at or after (epoch ms or ISO 8601)'),
  until: TimeQuery.optional().describe('created before (epoch ms or ISO 8601)'),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).max(512).optional(),
  q: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .describe('text search: part of the execution id, or an exact idempotency key or correlation (wait) key'),
});

export function registerExecutionRoutes({ client, config, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'POST',
      url: '/v1/workflows/:name/executions',
      operationId: 'triggerExecution',
      summary: 'Start an execution; the body is its context',
      description:
        'With `Idempotency-Key`, the same key returns the same execution (for as long as it is stored). ' +
        'Without one the gateway generates a key and returns it (`Idempotency-Key` header, `idempotencyKey` field); ' +
        'a 503 says the outcome is unknown and gives the key and execution id: retrying with that key never starts a second execution. ' +
        'With `?wait=<duration>`, answers 200 with the execution if it ends within that time, else 202.',
      tags: ['executions'],
      access: 'trigger',
      params: WorkflowNameParams,
      query: z.object({
        wait: WaitQuerySchema.optional(),
        version: z.coerce.number().int().positive().optional().describe('pin a definition version (default: latest)'),
        start: z
          .enum(['true', 'false'])
          .optional()
          .describe('`false`: create the execution `pending` without starting it, until `POST /v1/executions/{id}/start`'),
      }),
      headers: z.object({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
      body: { schema: JsonObjectSchema, code: 'INVALID_CONTEXT', path: 'context' },
      responses: {
        200: {
          description: 'the execution ended within `wait`',
          schema: ExecutionViewSchema,
          headers: { 'Idempotency-Key': 'the key the execution id derives from' },
        },
        202: {
          description: 'accepted; poll `Location`',
          schema: AcceptedExecutionSchema,
          headers: { Location: 'the execution', 'Idempotency-Key': 'the key the execution id derives from (given or generated)' },
        },
      },
      handler: async ({ params, query, headers, body, reply }) => {
        const waitMs = query.wait === undefined ? undefined : waitDuration(query.wait, config.maxWaitMs);
        // Always a key: if NATS does not confirm the trigger, the caller retries with it and cannot start a second execution.
        const given = headers['Idempotency-Key'];
        const key = given ?? randomUUID();
        const id = await client.trigger(params.name, body ?? {}, {
          idempotencyKey: key,
          generatedKey: given === undefined,
          ...(query.version ? { version: query.version } : {}),
          ...(query.start === 'false' ? { start: false } : {}),
        });
        reply.header('idempotency-key', key);
        let status;
        if (waitMs !== undefined) {
          try {
            return reply.code(200).send(redactSecrets(await client.waitFor(id, [...TERMINAL_STATUSES], waitMs)));
          } catch (err) {
            if (!(err instanceof SquadflowError && err.code === 'TIMEOUT')) throw err;
          }
          status = (await client.getExecution(id))?.status;
        }
        const location = executionLocation(id);
        return reply
          .code(202)
          .header('location', location)
          .send({ executionId: id, idempotencyKey: key, ...(status ? { status } : {}), location });
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/executions/:id',
      operationId: 'getExecution',
      summary: 'An execution: status, context, output, error and per-step history (attempts, timings, outputs, errors)',
      description:
        'Also what is armed now: per step its timers (`nextRetryAt`, `delayUntil`, `attemptDeadline`, `deadline`, `nextEscalationAt`), ' +
        'the open `waits` (key, step, deadline) and, when escalated, `escalation` (step, key, actions). Secret-named properties ' +
        '(token, secret, password, authorization, api_key…) of the context, inputs and outputs read `[redacted]`.',
      tags: ['executions'],
      access: 'read',
      params: ExecutionIdParams,
      responses: { 200: { description: 'the execution', schema: ExecutionDetailSchema } },
      handler: async ({ params }) => {
        const view = await client.describeExecution(params.id);
        if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${params.id} not found`);
        return redactSecrets(view);
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/executions',
      operationId: 'listExecutions',
      summary: 'Executions, newest first, one page at a time',
      tags: ['executions'],
      access: 'read',
      query: ListQuery,
      responses: { 200: { description: 'a page; follow `nextCursor` for the next', schema: ExecutionPageSchema } },
      handler: async ({ query }) => redactSecrets(await client.pageExecutions(query)),
    }),
  );
}

/** Parses `?wait=`; over the configured maximum is refused rather than silently shortened. */
function waitDuration(value: string, maxMs: number): number {
  const ms = parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  if (ms === undefined) {
    throw new SquadflowError('INVALID_ARGUMENT', 'invalid query', [
      { path: 'query.wait', message: 'expected a duration: 1500, 30s, PT5S' },
    ]);
  }
  if (ms > maxMs) throw new SquadflowError('INVALID_ARGUMENT', 'invalid query', [{ path: 'query.wait', message: `at most ${maxMs} ms` }]);
  return ms;
}
