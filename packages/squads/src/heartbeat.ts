import type { Clock, Streams } from '@squadflow/transport';
import { heartbeatCodec, type Logger, type Names, type StepCommand } from '@squadflow/shared';

/** At most one heartbeat publication per attempt per this long. */
export const HEARTBEAT_MAX_RATE_MS = 1_000;

export interface HeartbeatDeps {
  command: StepCommand;
  names: Names;
  streams: Streams;
  clock: Clock;
  logger: Logger;
  /**
   * Minimum gap between publications. The runtime passes
   * `min(HEARTBEAT_MAX_RATE_MS, span / 2)`: a step whose timeout is shorter
   * than 2 s must still hear from the attempt before its timeout fires.
   */
  intervalMs: number;
  /** Called after each publication is handed to the transport (extends the ack wait). */
  onSent?: () => void;
}

/**
 * Publishes one attempt's heartbeats on `<prefix>.in.heartbeat.<execution>`,
 * throttled: the first goes out at once, later ones at most once per
 * interval, and when several come within one interval only the latest
 * progress is sent (on a timer). Publications are chained so they reach the
 * stream in call order. Nothing here throws into the handler: a failed
 * publication is logged, and the orchestrator may then time the attempt out.
 */
export class HeartbeatPublisher {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private pending: { progress: unknown } | undefined;
  private timer: unknown;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: HeartbeatDeps) {}

  /** Records a heartbeat; publishes now or at the end of the current interval. */
  beat(progress: unknown): void {
    if (this.closed) return;
    const now = this.deps.clock.now();
    this.pending = { progress };
    if (this.timer !== undefined) return; // a flush is already scheduled: it will carry this progress
    const due = this.lastSentAt + this.deps.intervalMs;
    if (now >= due) this.flush();
    else this.timer = this.deps.clock.setTimer(due, () => this.flush());
  }

  /** The attempt is over: drop what was not sent; later beats are ignored. */
  close(): void {
    this.closed = true;
    this.pending = undefined;
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Resolves once every publication started so far has settled (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private flush(): void {
    this.timer = undefined;
    const pending = this.pending;
    if (this.closed || !pending) return;
    this.pending = undefined;
    const { command, names, streams, clock, logger } = this.deps;
    const at = clock.now();
    this.lastSentAt = at;
    this.chain = this.chain.then(async () => {
      try {
        const data = heartbeatCodec.encode({
          kind: 'heartbeat',
          executionId: command.executionId,
          step: command.step,
          attempt: command.attempt,
          compensation: command.compensation,
          ...(pending.progress === undefined ? {} : { progress: pending.progress }),
          at,
        });
        await streams.publish(names.heartbeat(command.executionId), data);
        this.deps.onSent?.();
      } catch (err) {
        logger.warn({ err }, 'heartbeat not published; the orchestrator may time this attempt out');
      }
    });
  }
}
