import { context, propagation, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { SquadflowError, toFieldIssues } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { PinnableIdGenerator } from './pinned-ids.ts';

/**
 * The OpenTelemetry variables a process reads (the standard ones; the
 * exporter reads its own OTEL_EXPORTER_OTLP_* headers and timeouts itself).
 * Tracing starts only when an OTLP endpoint is set.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | OTEL_EXPORTER_OTLP_ENDPOINT | OTLP/HTTP base URL (`/v1/traces` is appended), e.g. `http://127.0.0.1:4318` | (unset: no tracing) |
 * | OTEL_EXPORTER_OTLP_TRACES_ENDPOINT | the full traces URL, instead of the base one | (unset) |
 * | OTEL_SERVICE_NAME | `service.name` of the spans | per process: squadflow-gateway, squadflow-orchestrator, squadflow-squad-<name>, squadflow (embedded) |
 * | OTEL_RESOURCE_ATTRIBUTES | more resource attributes, `key=value,...` | (none) |
 * | OTEL_SDK_DISABLED | `true`: no tracing even with an endpoint | false |
 * | OTEL_TRACES_EXPORTER | `none`: no tracing; `otlp` (the only exporter here) | otlp |
 * | OTEL_BSP_SCHEDULE_DELAY | ms between two exports of the batch processor | 5000 |
 * | OTEL_BSP_MAX_QUEUE_SIZE / OTEL_BSP_MAX_EXPORT_BATCH_SIZE | spans queued / per export | 2048 / 512 |
 * | OTEL_BSP_EXPORT_TIMEOUT | ms an export may take | 30000 |
 */
const Millis = z.coerce.number().int().min(0).max(3_600_000);
const Count = z.coerce.number().int().min(1).max(1_000_000);
const OtelEnvSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_BSP_SCHEDULE_DELAY: Millis.optional(),
  OTEL_BSP_MAX_QUEUE_SIZE: Count.optional(),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: Count.optional(),
  OTEL_BSP_EXPORT_TIMEOUT: Millis.optional(),
});

/** A process's tracing: `shutdown` exports what is queued (call it on graceful stop, after the work stops). */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };
let running: Tracing | undefined;

/**
 * Starts the OpenTelemetry SDK for this process when an OTLP endpoint is
 * configured: a tracer provider exporting over OTLP/HTTP (JSON) in batches,
 * W3C trace context propagation, async-context tracking, and squadflow's id
 * generator (pinned ids for spans emitted after the fact). The SDK packages
 * are loaded only then: a process without tracing never loads them, and
 * every `@opentelemetry/api` call it makes stays a no-op. A second call in
 * the same process (in-process tests) returns a handle that leaves the
 * first one running. Throws `INVALID_CONFIG` naming a bad variable.
 */
export async function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env, logger?: Logger): Promise<Tracing> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('OTEL_') && v !== undefined && v !== ''));
  const parsed = OtelEnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid OpenTelemetry environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  const endpoint = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined || e.OTEL_SDK_DISABLED === 'true' || e.OTEL_TRACES_EXPORTER === 'none') return OFF;
  if (running) return { enabled: true, shutdown: async () => undefined };

  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { AsyncLocalStorageContextManager }, core, resources] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
    ]);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the process's default name.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': defaultServiceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const exporter = new OTLPTraceExporter(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { url: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {});
  const provider = new TracerProvider({
    resource,
    idGenerator: new PinnableIdGenerator(),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        ...(e.OTEL_BSP_SCHEDULE_DELAY === undefined ? {} : { scheduledDelayMillis: e.OTEL_BSP_SCHEDULE_DELAY }),
        ...(e.OTEL_BSP_MAX_QUEUE_SIZE === undefined ? {} : { maxQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE }),
        ...(e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE === undefined ? {} : { maxExportBatchSize: e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE }),
        ...(e.OTEL_BSP_EXPORT_TIMEOUT === undefined ? {} : { exportTimeoutMillis: e.OTEL_BSP_EXPORT_TIMEOUT }),
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  logger?.info({ endpoint, serviceName: resource.attributes['service.name'] }, 'tracing to OTLP');

  let stopped: Promise<void> | undefined;
  const started: Tracing = {
    enabled: true,
    shutdown: () =>
      (stopped ??= (async () => {
        try {
          await provider.shutdown(); // exports what is queued
        } catch (err) {
          logger?.warn({ err }, 'exporting the last spans failed');
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
          running = undefined;
        }
      })()),
  };
  running = started;
  return started;
}
