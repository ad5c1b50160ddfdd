/**
 * Routes are declared once, with zod schemas for their path parameters, query,
 * headers and body. The same declaration validates each request and feeds the
 * OpenAPI document (openapi.ts), so the document cannot drift from what the
 * routes accept.
 */
import { SquadflowError, toFieldIssues, type ErrorCode } from '@squadflow/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal, Scope } from './auth.ts';
import type { BodyField } from './body.ts';

/**
 * Who may call a route: a scope, any of several scopes, anyone (`public`),
 * or whoever signs the body (`signature`: webhooks).
 */
export type Access = Scope | readonly Scope[] | 'public' | 'signature';

/** The scopes that grant a route (empty for `public` and `signature`). */
export function scopesOf(access: Access): readonly Scope[] {
  if (access === 'public' || access === 'signature') return [];
  return typeof access === 'string' ? [access] : access;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The handler parses the body itself from `request.rawBody` (after checking a signature). */
    deferJson?: boolean;
    /** How errors name the body (the JSON parser refuses a body nested too deeply with it). */
    bodyField?: BodyField;
  }
  interface FastifyRequest {
    rawBody?: Buffer;
    principal?: Principal | null;
  }
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
  /** Extra media types the same answer may take (content negotiation). */
  alternatives?: Record<string, z.ZodType>;
  headers?: Record<string, string>;
}

export interface BodySpec<B> {
  schema: B;
  required?: boolean;
  /** Error code when the body fails `schema` (default `INVALID_ARGUMENT`, 400). */
  code?: ErrorCode;
  /** Issue path prefix (default `body`). */
  path?: string;
  /** `false`: the schema only documents; the handler validates (e.g. with the engine's own checks). */
  validate?: boolean;
}

type Schema = z.ZodType | undefined;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerContext<P, Q, H, B> {
  params: Out<P>;
  query: Out<Q>;
  headers: Out<H>;
  body: B extends z.ZodType ? z.output<B> | undefined : undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  H extends Schema = undefined,
  B extends Schema = undefined,
> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** fastify syntax: `/v1/executions/:id`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  /** Header names in their canonical case (`Idempotency-Key`); looked up case-insensitively. */
  headers?: H;
  body?: BodySpec<B>;
  deferJson?: boolean;
  responses: Record<number, ResponseSpec>;
  handler(ctx: HandlerContext<P, Q, H, B>): Promise<unknown>;
}

/** A route of any shape, as the table stores it. */
export type AnyRoute = RouteSpec<Schema, Schema, Schema, Schema>;

/** Identity, for type inference of a route's schemas. */
export function defineRoute<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  H extends Schema = undefined,
  B extends Schema = undefined,
>(spec: RouteSpec<P, Q, H, B>): RouteSpec<P, Q, H, B> {
  return spec;
}

/** The routes of one gateway: registered with fastify and listed for OpenAPI. */
export class RouteTable {
  readonly routes: AnyRoute[] = [];

  constructor(private readonly app: FastifyInstance) {}

  add<P extends Schema, Q extends Schema, H extends Schema, B extends Schema>(spec: RouteSpec<P, Q, H, B>): void {
    const route = spec as unknown as AnyRoute;
    this.routes.push(route);
    this.app.route({
      method: route.method,
      url: route.url,
      config: {
        access: route.access,
        deferJson: route.deferJson ?? false,
        bodyField: { path: route.body?.path ?? 'body', code: route.body?.code ?? 'INVALID_ARGUMENT' },
      },
      handler: async (request, reply) => {
        const params = check(route.params, request.params, 'params');
        const query = check(route.query, request.query, 'query');
        const headers = check(route.headers, pickHeaders(route.headers, request), 'headers');
        let body: unknown = request.body;
        if (route.body && route.body.validate !== false && (body !== undefined || route.body.required)) {
          body = check(route.body.schema, body, route.body.path ?? 'body', route.body.code);
        }
        return route.handler({ params, query, headers, body, request, reply } as HandlerContext<Schema, Schema, Schema, Schema>);
      },
    });
  }
}

function check(schema: z.ZodType | undefined, value: unknown, where: string, code: ErrorCode = 'INVALID_ARGUMENT'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new SquadflowError(code, `invalid ${where}`, toFieldIssues(result.error.issues, where));
  return result.data;
}

/** Node lowercases header names; the schema uses the canonical spelling. */
function pickHeaders(schema: z.ZodType | undefined, request: FastifyRequest): Record<string, unknown> {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  return Object.fromEntries(Object.keys(shape).map((name) => [name, request.headers[name.toLowerCase()]]));
}
