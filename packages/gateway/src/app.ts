/**
 * `createGateway`: the fastify application in front of an `EngineClient`.
 * Cross-cutting concerns live here (request ids, authentication, rate limit,
 * body parsing, error answers); each resource's routes live in routes/ and
 * webhooks/.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Transport } from '@squadflow/transport';
import type { EngineClient } from '@squadflow/engine';
import { createLogger, names as makeNames, type Logger } from '@squadflow/shared';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { assertBindable, gatewayConfig, type GatewayConfig } from './config.ts';
import type { GatewayDeps } from './deps.ts';
import { TokenVerifier } from './http/auth.ts';
import { installJsonParser } from './http/body.ts';
import { clientErrorHandler, connectionLimits } from './http/connection-limits.ts';
import { HttpError, toErrorAnswer } from './http/errors.ts';
import { listenError } from './http/listen-error.ts';
import { configuredSecrets, redaction, requestSerializer } from './http/log-redaction.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { RouteTable, scopesOf } from './http/route.ts';
import { traceRequests } from './http/tracing.ts';
import { MAX_PARAM_LENGTH, routerError } from './http/router-errors.ts';
import { registerControlRoutes } from './routes/control.ts';
import { registerRetryRoute } from './routes/retry.ts';
import { registerExecutionRoutes } from './routes/executions.ts';
import { registerArchiveRoutes } from './routes/archive.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { GatewayMetrics, registerMetricsRoutes } from './routes/metrics.ts';
import { registerOpenApiRoute } from './routes/openapi.ts';
import { registerScheduleRoutes } from './routes/schedules.ts';
import { registerSignalRoutes } from './routes/signals.ts';
import { registerWorkflowRoutes } from './routes/workflows.ts';
import { registerWorkflowGraphRoutes } from './routes/workflow-graph.ts';
import { registerInsightsRoutes } from './routes/insights.ts';
import { registerHumanTaskRoutes } from './routes/human-tasks.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerSquadRoutes } from './routes/squads.ts';
import { registerLeadRoutes } from './routes/leads.ts';
import { registerGenericWebhookRoutes } from './webhooks/generic.ts';
import { registerUi } from './ui/serve-ui.ts';
import { DeliveryLedger } from './webhooks/ledger.ts';
import { registerWhatsAppRoutes } from './webhooks/whatsapp.ts';

export interface GatewayOptions {
  client: EngineClient;
  transport: Transport;
  /** Deployment prefix (default: the client's). */
  prefix?: string;
  /** Settings; omitted ones take the defaults (see `loadGatewayConfig` to read them from the environment). */
  config?: Partial<GatewayConfig>;
  logger?: Logger;
  /** The operator UI's built bundle (default: `uiDirectory()`, see ui/ui-directory.ts); `/ui/` answers 503 while it is missing. */
  uiDir?: string;
}

export interface Gateway {
  app: FastifyInstance;
  config: GatewayConfig;
  /** Listens on `config.host:config.port`; resolves with the base URL. Refuses a non-loopback address without tokens. */
  listen(): Promise<string>;
  /** Stops accepting requests and waits for those in flight. Does not close the transport (the caller owns it). */
  close(): Promise<void>;
}

/** Probes must answer even when a caller exhausted its budget. */
const NOT_RATE_LIMITED = new Set(['/healthz', '/readyz']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming `X-Request-Id` is kept when it is sane (it ends up in logs and headers), else a new one is made. */
function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Builds the gateway (routes registered, not listening yet). */
export function createGateway(options: GatewayOptions): Gateway {
  const config = gatewayConfig(options.config);
  // fastify logs each request's URL: through this serializer, without the secrets a query string may carry.
  const redact = redaction(configuredSecrets(config));
  const logger = (options.logger ?? createLogger()).child({ component: 'gateway' }, { serializers: { req: requestSerializer(redact) } });
  const names = makeNames(options.prefix ?? options.client.names.prefix);
  const sendError = (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const answer = toErrorAnswer(err, request.id);
    if (answer.internal) request.log.error({ err }, 'request failed');
    else if (answer.statusCode >= 500) request.log.warn({ code: answer.body.error.code, err }, 'request failed');
    // The message may quote what the caller sent (a path parameter): no configured secret reaches the log through it.
    else request.log.info({ code: answer.body.error.code, status: answer.statusCode }, redact.text(answer.body.error.message));
    return reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
  };
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    // Body limit and timeouts, chosen deliberately: see http/connection-limits.ts.
    ...connectionLimits(config),
    clientErrorHandler,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a bad percent-encoding, an over-long parameter) get the error envelope too.
    frameworkErrors: (err, request, reply) => void sendError(routerError(err), request, reply),
  });
  installJsonParser(app);
  traceRequests(app);

  const verifier = new TokenVerifier(config.tokens);
  const limiter = new RateLimiter(config.rateLimitPerMinute);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Some answers echo caller text (the WhatsApp challenge): never let a browser sniff it into HTML.
    reply.header('x-content-type-options', 'nosniff');
    const access = request.routeOptions.config?.access ?? 'public';
    const principal = verifier.enabled ? verifier.identify(request.headers.authorization) : null;
    request.principal = principal;
    // Keyed before the 401: guessing tokens from one address is throttled too.
    if (!NOT_RATE_LIMITED.has(request.routeOptions.url ?? '')) {
      const decision = limiter.take(principal ? `token:${principal.name}` : `ip:${request.ip}`);
      if (!decision.allowed) {
        throw new HttpError(429, 'RATE_LIMITED', `rate limit of ${config.rateLimitPerMinute} requests per minute exceeded`, [], {
          'retry-after': String(decision.retryAfterSeconds),
        });
      }
    }
    if (!verifier.enabled || access === 'public' || access === 'signature') return;
    if (!principal) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'a valid bearer token is required (Authorization: Bearer <token>)', [], {
        'www-authenticate': 'Bearer',
      });
    }
    const granting = scopesOf(access);
    if (!granting.some((scope) => principal.scopes.has(scope))) {
      throw new HttpError(403, 'FORBIDDEN', `token "${principal.name}" lacks the "${granting.join('" or "')}" scope`);
    }
  });

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}`, issues: [] },
      requestId: request.id,
    }),
  );

  const metrics = new GatewayMetrics();
  metrics.instrument(app);
  const deps: GatewayDeps = { client: options.client, transport: options.transport, names, config, logger, routes: new RouteTable(app) };
  const ledger = new DeliveryLedger(options.transport, names.buckets.webhooks, options.client);
  registerExecutionRoutes(deps);
  registerArchiveRoutes(deps);
  registerControlRoutes(deps);
  registerRetryRoute(deps);
  registerSignalRoutes(deps);
  registerWorkflowRoutes(deps);
  registerWorkflowGraphRoutes(deps);
  registerInsightsRoutes(deps);
  registerHumanTaskRoutes(deps);
  registerEventRoutes(deps, app);
  registerSquadRoutes(deps);
  registerLeadRoutes(deps);
  registerScheduleRoutes(deps);
  registerMetricsRoutes(deps, metrics, app);
  registerHealthRoutes(deps);
  registerWhatsAppRoutes(deps, ledger);
  registerGenericWebhookRoutes(deps, ledger);
  registerOpenApiRoute(deps);
  registerUi(app, options.uiDir);

  return {
    app,
    config,
    async listen() {
      assertBindable(config);
      if (!verifier.enabled)
        logger.warn({ host: config.host }, 'no API tokens configured (SQUADFLOW_API_TOKENS): listening on loopback only');
      await app.listen({ host: config.host, port: config.port }).catch((err: NodeJS.ErrnoException) => {
        throw listenError(err, config);
      });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    close: () => app.close(),
  };
}
