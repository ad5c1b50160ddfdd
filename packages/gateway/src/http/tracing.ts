import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { contextFromHeaders, SpanNames, TRACER_NAME, tracingEnabled } from '@squadflow/shared';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';

interface RequestSpan {
  span: Span;
  /** The request's context: the span active, under the caller's `traceparent` when it sent one. */
  context: Context;
}

/**
 * One SERVER span per HTTP request (docs/observability.md), a child of the
 * caller's `traceparent` when it sent one, made active while the route's
 * handler runs: a trigger it sends carries it, so the execution span
 * becomes its child. Installed only when tracing is on at start (the
 * gateway process starts the SDK before it builds the app); registered
 * before the routes, whose handlers it wraps, and before authentication, so
 * refused requests are traced too.
 */
export function traceRequests(app: FastifyInstance): void {
  if (!tracingEnabled()) return;
  const tracer = trace.getTracer(TRACER_NAME);
  const spans = new WeakMap<FastifyRequest, RequestSpan>();

  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, request, reply) {
      const active = spans.get(request);
      return active ? context.with(active.context, () => handler.call(this, request, reply)) : handler.call(this, request, reply);
    };
  });
  app.addHook('onRequest', async (request) => {
    const parent = contextFromHeaders((name) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    });
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route ? SpanNames.http(request.method, route) : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?')[0] ?? request.url,
          ...(route ? { 'http.route': route } : {}),
        },
      },
      parent,
    );
    spans.set(request, { span, context: trace.setSpan(parent, span) });
  });
  app.addHook('onResponse', async (request, reply) => {
    const active = spans.get(request);
    if (!active) return;
    spans.delete(request);
    active.span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) active.span.setStatus({ code: SpanStatusCode.ERROR });
    active.span.end();
  });
}
