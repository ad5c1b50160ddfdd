/**
 * Metrics: `GET /metrics` in Prometheus text, and `GET /v1/metrics` as
 * JSON. The metric families live in ../metrics/ (docs/metrics.md lists
 * them): counters and histograms of what happened, kept from the lifecycle
 * stream; gauges of what is stored, read from the index's keys and counts
 * at scrape time; consumer backlogs; alerts (docs/alerts.md); the gateway's
 * own request counters and latency histogram. Nothing here scans the stored
 * executions.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ExecutionEventMetrics } from '../metrics/execution-events.ts';
import { StoredExecutionGauges } from '../metrics/stored-gauges.ts';
import { MetricsSchema } from '../schemas.ts';
import { AlertGauges } from './alert-gauges.ts';
import { BacklogGauges } from './backlog-gauges.ts';

/** The gateway's Prometheus registry (one per gateway: tests run several in one process). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly stored = new StoredExecutionGauges(this.registry);
  readonly events = new ExecutionEventMetrics(this.registry);
  readonly requests = new Counter({
    name: 'squadflow_http_requests_total',
    help: 'HTTP requests answered by the gateway',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'squadflow_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** Counts every answered request by its route template (not the raw URL: ids would explode the label set). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const labels = { method: request.method, route };
      this.requests.inc({ ...labels, status: String(reply.statusCode) });
      this.latency.observe(labels, reply.elapsedTime / 1000);
    });
  }
}

export function registerMetricsRoutes(deps: GatewayDeps, metrics: GatewayMetrics, app: FastifyInstance): void {
  const { client, routes, transport, names, logger } = deps;
  const backlog = new BacklogGauges(metrics.registry, logger);
  // Follow the lifecycle stream from construction; the app is ready (and answers) only once it follows.
  const following = metrics.events.start(transport, names, logger);
  app.addHook('onReady', () => following);
  app.addHook('onClose', () => metrics.events.stop());
  const alerts = new AlertGauges(metrics.registry, logger);
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/metrics',
      operationId: 'prometheusMetrics',
      summary:
        'Prometheus text: executions by status and workflow, success ratio, execution and step durations, step errors, consumer backlogs, alerts, HTTP requests',
      tags: ['metrics'],
      access: 'read',
      responses: { 200: { description: 'Prometheus exposition format 0.0.4', contentType: 'text/plain', schema: z.string() } },
      handler: async ({ reply }) => {
        metrics.stored.update(await client.executionCounts());
        await backlog.update(transport, names);
        await alerts.update(transport, names);
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/metrics',
      operationId: 'metrics',
      summary: 'Engine metrics as JSON',
      tags: ['metrics'],
      access: 'read',
      responses: {
        200: { description: 'counts by status, success rate, active executions, step duration percentiles', schema: MetricsSchema },
      },
      handler: async () => client.metrics(),
    }),
  );
}
