/**
 * Generic webhook routes (`SQUADFLOW_WEBHOOK_ROUTES` or the file named by
 * `SQUADFLOW_WEBHOOK_ROUTES_FILE`): each is served at `POST /webhooks/<name>`,
 * checked with an HMAC over the raw body, and turned into a trigger or a
 * signal by JSONata expressions over the JSON body. Expressions are parsed
 * here, at start, so a typo fails the configuration instead of a delivery.
 */
import { compileExpression, compileTemplate, ExpressionSchema, NameSchema, SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';

export const WebhookRouteSchema = z
  .strictObject({
    name: NameSchema.refine((n) => n !== 'whatsapp', '"whatsapp" is the built-in WhatsApp route'),
    /** Name of the environment variable that holds the HMAC secret (the secret itself never sits in this JSON). */
    secret: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'the name of an environment variable'),
    signature: z.strictObject({
      /** Header carrying the signature, e.g. `X-Signature-256`. */
      header: z.string().regex(/^[A-Za-z0-9-]+$/),
      algorithm: z.literal('sha256').default('sha256'),
      /** Text before the digest, e.g. `sha256=`. */
      prefix: z.string().max(32).optional(),
      encoding: z.enum(['hex', 'base64']).default('hex'),
    }),
    action: z.enum(['trigger', 'signal']),
    /** Workflow to start (`trigger`). */
    workflow: NameSchema.optional(),
    /** JSONata over the body giving the trigger context (default: the body). */
    context: ExpressionSchema.optional(),
    /** Correlation key template for `signal`, e.g. `order_{order.id}` (placeholders are JSONata). */
    key: z.string().min(1).max(512).optional(),
    /** JSONata over the body giving the signal data (default: the body). */
    data: ExpressionSchema.optional(),
    /** JSONata giving a delivery id: a replay with the same id is processed once. */
    idempotencyKey: ExpressionSchema.optional(),
  })
  .superRefine((route, ctx) => {
    if (route.action === 'trigger' && !route.workflow)
      ctx.addIssue({ code: 'custom', path: ['workflow'], message: 'required for a trigger' });
    if (route.action === 'signal' && !route.key) ctx.addIssue({ code: 'custom', path: ['key'], message: 'required for a signal' });
  });

export type WebhookRouteInput = z.input<typeof WebhookRouteSchema>;

/** A configured route with its secret resolved. */
export type WebhookRoute = z.output<typeof WebhookRouteSchema> & { secretValue: string };

const VARIABLE = 'SQUADFLOW_WEBHOOK_ROUTES';

/** Validates routes, resolves each secret from `env` and parses every expression; throws `INVALID_CONFIG` naming the field. */
export function compileWebhookRoutes(input: unknown, env: Record<string, string | undefined>): WebhookRoute[] {
  const parsed = z.array(WebhookRouteSchema).safeParse(input);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', `invalid ${VARIABLE}`, toFieldIssues(parsed.error.issues, VARIABLE));
  const issues: Array<{ path: string; message: string }> = [];
  const seen = new Set<string>();
  const routes = parsed.data.map((route, i) => {
    const at = (field: string): string => `${VARIABLE}.${i}.${field}`;
    if (seen.has(route.name)) issues.push({ path: at('name'), message: `duplicate route "${route.name}"` });
    seen.add(route.name);
    const secretValue = env[route.secret] ?? '';
    if (!secretValue) issues.push({ path: at('secret'), message: `environment variable ${route.secret} is not set` });
    for (const field of ['context', 'data', 'idempotencyKey'] as const) {
      const source = route[field];
      if (source === undefined) continue;
      try {
        compileExpression(source);
      } catch (err) {
        issues.push({ path: at(field), message: (err as Error).message });
      }
    }
    if (route.key) {
      try {
        compileTemplate(route.key);
      } catch (err) {
        issues.push({ path: at('key'), message: (err as Error).message });
      }
    }
    return { ...route, secretValue };
  });
  if (issues.length) throw new SquadflowError('INVALID_CONFIG', `invalid ${VARIABLE}`, issues);
  return routes;
}
