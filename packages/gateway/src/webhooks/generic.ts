/**
 * `POST /webhooks/{name}`: the generic webhook routes of
 * `SQUADFLOW_WEBHOOK_ROUTES` (see generic-config.ts). The signature is an
 * HMAC-SHA256 over the raw body, compared in constant time, checked before
 * the body is parsed. JSONata expressions over the body (never `eval`) give
 * the trigger context, the signal key and data, and the delivery id.
 */
import { compileExpression, NameSchema, renderTemplate, type ExpressionScope } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { parseJson } from '../http/body.ts';
import { HttpError } from '../http/errors.ts';
import { defineRoute } from '../http/route.ts';
import { executionLocation } from '../routes/executions.ts';
import type { WebhookRoute } from './generic-config.ts';
import { performPlan, type DeliveryLedger, type DeliveryPlan } from './ledger.ts';
import { verifyHmacSha256 } from './signature.ts';

const ReceiptSchema = z.object({
  action: z.enum(['trigger', 'signal']),
  duplicate: z.boolean().describe('a replay of a delivery id already processed'),
  executionId: z.string().optional(),
  location: z.string().optional(),
  key: z.string().optional(),
  signalId: z.string().optional(),
});

export function registerGenericWebhookRoutes({ client, config, routes }: GatewayDeps, ledger: DeliveryLedger): void {
  const byName = new Map(config.webhookRoutes.map((r) => [r.name, r]));
  routes.add(
    defineRoute({
      method: 'POST',
      url: '/webhooks/:name',
      operationId: 'genericWebhook',
      summary: 'A configured webhook route (SQUADFLOW_WEBHOOK_ROUTES): trigger a workflow or send a signal',
      tags: ['webhooks'],
      access: 'signature',
      deferJson: true,
      params: z.object({ name: NameSchema }),
      body: { schema: z.record(z.string(), z.unknown()), required: true, validate: false },
      responses: { 202: { description: 'accepted (or a replay, processed before)', schema: ReceiptSchema } },
      handler: async ({ params, request, reply }) => {
        const route = byName.get(params.name);
        if (!route) throw new HttpError(404, 'WEBHOOK_NOT_FOUND', `no webhook route "${params.name}"`);
        const raw = request.rawBody ?? Buffer.alloc(0);
        const header = request.headers[route.signature.header.toLowerCase()];
        const signature = Array.isArray(header) ? undefined : header;
        if (!verifyHmacSha256(raw, signature, route.secretValue, route.signature)) {
          throw new HttpError(401, 'INVALID_SIGNATURE', `${route.signature.header} is missing or does not match the body`);
        }
        const body = parseJson(raw);
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          throw new HttpError(400, 'INVALID_PAYLOAD', 'the body must be a JSON object', [{ path: '', message: 'expected an object' }]);
        }
        const plan = await planFor(route, body as Record<string, unknown>);
        const deliveryId = route.idempotencyKey
          ? await scalar(route.idempotencyKey, scopeOf(route, body as Record<string, unknown>))
          : undefined;
        const outcome = deliveryId
          ? await ledger.once(
              `webhook:${route.name}:${deliveryId}`,
              async () => withIds(plan, route, deliveryId),
              (p) => performPlan(client, p),
            )
          : { duplicate: false, plan, result: await performPlan(client, plan) };
        const { executionId, signalId } = outcome.result ?? {};
        return reply.code(202).send({
          action: route.action,
          duplicate: outcome.duplicate,
          ...(executionId ? { executionId, location: executionLocation(executionId) } : {}),
          ...(outcome.plan.action === 'signal' ? { key: outcome.plan.key } : {}),
          ...(signalId ? { signalId } : {}),
        });
      },
    }),
  );
}

function scopeOf(route: WebhookRoute, body: Record<string, unknown>): ExpressionScope {
  return { context: body, steps: {}, execution: { id: '', workflow: route.workflow ?? '' } };
}

async function planFor(route: WebhookRoute, body: Record<string, unknown>): Promise<DeliveryPlan> {
  const scope = scopeOf(route, body);
  if (route.action === 'signal') {
    const data = route.data ? await compileExpression(route.data).evaluate(scope) : body;
    return { action: 'signal', key: await renderTemplate(route.key!, scope), data };
  }
  const context = route.context ? await compileExpression(route.context).evaluate(scope) : body;
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new HttpError(422, 'INVALID_CONTEXT', `route "${route.name}": the context expression must give a JSON object`);
  }
  return { action: 'trigger', workflow: route.workflow!, context: context as Record<string, unknown> };
}

/** Gives the plan its idempotency key / signal id from the delivery id (absent: the engine makes fresh ones). */
function withIds(plan: DeliveryPlan, route: WebhookRoute, deliveryId: string): DeliveryPlan {
  const id = `webhook:${route.name}:${deliveryId}`;
  return plan.action === 'signal' ? { ...plan, signalId: id } : { ...plan, idempotencyKey: id };
}

async function scalar(expression: string, scope: ExpressionScope): Promise<string> {
  const value = await compileExpression(expression).evaluate(scope);
  // A control character (CR/LF) in an id that ends up in a NATS message header is refused, never passed on.
  if ((typeof value !== 'string' && typeof value !== 'number') || value === '' || /\p{Cc}/u.test(String(value))) {
    throw new HttpError(400, 'INVALID_PAYLOAD', 'the delivery id expression gave no string or number without control characters', [
      { path: 'idempotencyKey', message: `${expression} → ${JSON.stringify(value) ?? 'nothing'}` },
    ]);
  }
  // `webhook:<route (≤ 64)>:<id>` must fit a trigger idempotency key or a signal id (256).
  return String(value).slice(0, 180);
}
