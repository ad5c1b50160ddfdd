/**
 * Execution metrics kept from the lifecycle stream (issue 13, part 4): the
 * gateway follows `p.lc.>` from the moment it starts (`Streams.tail`, an
 * ephemeral consumer on NATS) and moves prom-client counters, a histogram and
 * a summary per event, so a scrape costs nothing more at 10,000 stored
 * executions than at 100. They count what ended while this gateway ran: a
 * restart starts them from zero, which Prometheus reads as a counter reset
 * (`rate()` and `increase()` handle it); every gateway replica counts every
 * event, so aggregate replicas with `max`, not `sum`.
 */
import { lifecycleCodec, type LifecycleEvent, type Logger, type Names } from '@squadflow/shared';
import type { Tail, Transport } from '@squadflow/transport';
import { Counter, Histogram, Summary, type Registry } from 'prom-client';

/** Execution durations from 10 ms to a day: cheap chains end in milliseconds, human tasks and delays take hours. */
export const EXECUTION_DURATION_BUCKETS = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400,
];

/** How long after a failed start of the lifecycle tail it is tried again. */
const RETRY_MS = 1_000;
const RESET = 'Counts since this gateway started (a restart resets it to 0; Prometheus rate() handles resets)';
const ENDS: Partial<Record<LifecycleEvent['type'], string>> = {
  'execution.completed': 'completed',
  'execution.failed': 'failed',
  'execution.compensated': 'compensated',
  'execution.cancelled': 'cancelled',
};

export class ExecutionEventMetrics {
  private readonly duration: Histogram<'workflow' | 'status'>;
  private readonly ended: Counter<'workflow' | 'status'>;
  private readonly stepErrors: Counter<'workflow' | 'step' | 'code'>;
  private readonly stepDuration: Summary<'workflow' | 'step'>;
  private follower: Promise<Tail | undefined> | undefined;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.duration = new Histogram({
      name: 'squadflow_execution_duration_seconds',
      help: `Duration of ended executions (start to end) by workflow and end status. ${RESET}`,
      labelNames: ['workflow', 'status'],
      buckets: EXECUTION_DURATION_BUCKETS,
      registers,
    });
    this.ended = new Counter({
      name: 'squadflow_executions_ended_total',
      help: `Executions that ended, by workflow and end status. ${RESET}`,
      labelNames: ['workflow', 'status'],
      registers,
    });
    this.stepErrors = new Counter({
      name: 'squadflow_step_errors_total',
      help: `Steps that failed (after their retries), by workflow, step and error code. ${RESET}`,
      labelNames: ['workflow', 'step', 'code'],
      registers,
    });
    this.stepDuration = new Summary({
      name: 'squadflow_step_duration_seconds',
      help: 'Duration of successful step attempts: quantiles over the last 10 minutes, _sum and _count since this gateway started',
      labelNames: ['workflow', 'step'],
      percentiles: [0.5, 0.95],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers,
    });
  }

  /**
   * Starts following the lifecycle stream from now on (nothing when the
   * transport cannot tail). Resolves once following. A tail that ends by
   * itself (the server dropped the consumer while this process was cut off)
   * is started again from the next sequence; one that cannot start (the
   * stream is gone) is tried again every second, from new events.
   */
  start(transport: Transport, names: Names, logger: Logger): Promise<void> {
    const tail = transport.streams.tail?.bind(transport.streams);
    if (!tail) return (this.follower ??= Promise.resolve(undefined)).then(() => undefined);
    let last = 0;
    const follow = (fromSeq?: number): Promise<Tail | undefined> =>
      tail(
        names.streams.lifecycle,
        names.lifecycleAll,
        {
          ...(fromSeq === undefined ? {} : { fromSeq }),
          onEnd: (reason) => {
            if (this.stopped) return;
            logger.warn({ reason }, 'metrics: the lifecycle tail ended; following again');
            this.follower = follow(last + 1);
          },
        },
        (m) => {
          last = m.seq;
          this.observeMessage(m.data, logger);
        },
      ).catch((err: unknown) => {
        logger.warn({ err }, 'metrics: the lifecycle stream is not followed; trying again in 1 s');
        this.retry = setTimeout(() => {
          if (!this.stopped) this.follower = follow();
        }, RETRY_MS);
        this.retry.unref();
        return undefined;
      });
    this.follower ??= follow();
    return this.follower.then(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await (await this.follower)?.stop();
    this.follower = undefined;
  }

  /** Moves the metrics an event says moved. */
  observe(event: LifecycleEvent): void {
    const status = ENDS[event.type];
    const durationMs = durationOf(event.data);
    if (status) {
      this.ended.inc({ workflow: event.workflow, status });
      if (durationMs !== undefined) this.duration.observe({ workflow: event.workflow, status }, durationMs / 1000);
    } else if (event.type === 'step.completed' && event.step && durationMs !== undefined) {
      this.stepDuration.observe({ workflow: event.workflow, step: event.step }, durationMs / 1000);
    } else if (event.type === 'step.failed' && event.step) {
      this.stepErrors.inc({ workflow: event.workflow, step: event.step, code: codeOf(event.data) });
    }
  }

  private observeMessage(data: Uint8Array, logger: Logger): void {
    let event: LifecycleEvent;
    try {
      event = lifecycleCodec.decode(data);
    } catch (err) {
      logger.warn({ err }, 'metrics: a lifecycle event did not decode; skipped');
      return;
    }
    this.observe(event);
  }
}

function durationOf(data: unknown): number | undefined {
  const ms = (data as { durationMs?: unknown } | undefined)?.durationMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A step error's code (`StepError.code`), `UNKNOWN` when the event carries none. */
function codeOf(data: unknown): string {
  const code = (data as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code ? code : 'UNKNOWN';
}
