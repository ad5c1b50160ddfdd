/**
 * The OpenAPI 3.1 document, generated from the route table: the same zod
 * schemas that validate requests are converted with `z.toJSONSchema`
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import { scopesOf, type AnyRoute, type ResponseSpec } from './http/route.ts';
import { ErrorBodySchema } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

/** Converts a zod schema to JSON Schema as a client would send it (`io: 'input'`: before defaults and transforms). */
export function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });

/** Error answers every route may give, by who may call it. */
function errorResponses(route: AnyRoute): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '400': errorResponse('bad request: invalid JSON, parameter or payload (`issues` names each field)'),
    '429': errorResponse('rate limited; see Retry-After'),
    '500': errorResponse('internal error'),
    '503': errorResponse('NATS unreachable'),
  };
  if (route.body) {
    out['413'] = errorResponse('body larger than SQUADFLOW_BODY_LIMIT');
    out['415'] = errorResponse('the body must be application/json');
    out['422'] = errorResponse('valid JSON that fails the definition or context schema');
  }
  if (route.access !== 'public')
    out['401'] = errorResponse(route.access === 'signature' ? 'missing or bad signature' : 'missing or unknown token');
  const scopes = scopesOf(route.access);
  if (scopes.length) out['403'] = errorResponse(`the token lacks the "${scopes.join('" or "')}" scope`);
  if (route.params) out['404'] = errorResponse('not found');
  if (scopes.includes('admin')) out['409'] = errorResponse('the execution has already ended');
  return out;
}

function parameters(route: AnyRoute): unknown[] {
  const list: unknown[] = [];
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): void => {
    if (!schema) return;
    const converted = jsonSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(converted.properties ?? {})) {
      const { description, ...propertySchema } = property;
      list.push({
        name,
        in: where,
        required: where === 'path' || (converted.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propertySchema,
      });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  add(route.headers, 'header');
  return list;
}

function response(spec: ResponseSpec): unknown {
  const content: Record<string, unknown> = {};
  if (spec.schema) content[spec.contentType ?? 'application/json'] = { schema: jsonSchema(spec.schema) };
  for (const [type, schema] of Object.entries(spec.alternatives ?? {})) content[type] = { schema: jsonSchema(schema) };
  return {
    description: spec.description,
    ...(Object.keys(content).length ? { content } : {}),
    ...(spec.headers
      ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) }
      : {}),
  };
}

/** The document for a set of routes. */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, unknown> = errorResponses(route);
    for (const [status, spec] of Object.entries(route.responses)) responses[status] = response(spec);
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      // OpenAPI: the alternatives of a security list are ORed, so each granting scope is one requirement.
      security: scopesOf(route.access).map((scope) => ({ bearer: [scope] })),
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: route.body.required ?? false,
              content: { 'application/json': { schema: jsonSchema(route.body.schema as z.ZodType) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'squadflow gateway',
      version: info.version,
      description:
        'HTTP in front of the squadflow workflow runtime (NATS). Bearer tokens carry scopes `read`, `trigger`, `admin`. ' +
        'Errors are `{ error: { code, message, issues }, requestId }`.',
    },
    tags: ['executions', 'control', 'signals', 'workflows', 'metrics', 'health', 'webhooks', 'leads', 'meta'].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBodySchema) },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token from SQUADFLOW_API_TOKENS' } },
    },
  };
}
