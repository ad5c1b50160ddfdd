/**
 * Metrics: `GET /metrics` in Prometheus text (engine metrics computed from
 * `client.metrics()` at scrape time, plus the gateway's own request counters
 * and latency histogram), and `GET /v1/metrics` as JSON.
 */
import type { EngineMetrics } from '@squadflow/engine';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { MetricsSchema } from '../schemas.ts';
import { AlertGauges } from './alert-gauges.ts';
import { BacklogGauges } from './backlog-gauges.ts';

/** The gateway's Prometheus registry (one per gateway: tests run several in one process). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly executions = this.gauge('squadflow_executions', 'Stored executions by status', ['status']);
  private readonly active = this.gauge('squadflow_executions_active', 'Executions that have not ended');
  private readonly successRatio = this.gauge('squadflow_execution_success_ratio', 'completed / ended executions (NaN before any ended)');
  private readonly stepDuration = this.gauge(
    'squadflow_step_duration_seconds',
    'Duration of successful step attempts, nearest-rank quantiles over stored executions',
    ['workflow', 'step', 'quantile'],
  );
  private readonly stepCount = this.gauge('squadflow_step_attempts_measured', 'Successful step attempts the quantiles are computed from', [
    'workflow',
    'step',
  ]);
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

  private gauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Counts every answered request by its route template (not the raw URL: ids would explode the label set). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const labels = { method: request.method, route };
      this.requests.inc({ ...labels, status: String(reply.statusCode) });
      this.latency.observe(labels, reply.elapsedTime / 1000);
    });
  }

  /** Replaces the engine gauges with a fresh computation. */
  update(m: EngineMetrics): void {
    this.executions.reset();
    for (const [status, count] of Object.entries(m.byStatus)) this.executions.set({ status }, count);
    this.active.set(m.active);
    this.successRatio.set(m.successRate ?? Number.NaN);
    this.stepDuration.reset();
    this.stepCount.reset();
    for (const s of m.steps) {
      this.stepDuration.set({ workflow: s.workflow, step: s.step, quantile: '0.5' }, s.p50Ms / 1000);
      this.stepDuration.set({ workflow: s.workflow, step: s.step, quantile: '0.95' }, s.p95Ms / 1000);
      this.stepCount.set({ workflow: s.workflow, step: s.step }, s.count);
    }
  }
}

export function registerMetricsRoutes({ client, routes, transport, names, logger }: GatewayDeps, metrics: GatewayMetrics): void {
  const backlog = new BacklogGauges(metrics.registry, logger);
  const alerts = new AlertGauges(metrics.registry, logger);
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/metrics',
      operationId: 'prometheusMetrics',
      summary:
        'Prometheus text: executions by status, success ratio, active executions, step duration quantiles, consumer backlogs, HTTP requests',
      tags: ['metrics'],
      access: 'read',
      responses: { 200: { description: 'Prometheus exposition format 0.0.4', contentType: 'text/plain', schema: z.string() } },
      handler: async ({ reply }) => {
        metrics.update(await client.metrics());
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
