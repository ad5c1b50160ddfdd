import type { Clock } from '@squadflow/transport';

/** Why a running attempt was aborted. */
export type AbortCause = 'timeout' | 'shutdown';

/** Calls made while a handler runs, every `everyMs` of wall time (the ack-wait keep-alive). */
export interface KeepAlive {
  everyMs: number;
  send(): void;
}

/**
 * The lifetime of one handler run: its AbortSignal and its local deadline.
 * The deadline starts as the earlier of the command's deadline and the
 * action's own timeout; a heartbeat moves it to now + that original span,
 * mirroring what the orchestrator does with the step's timeout, so a
 * long action that keeps heartbeating is not aborted here either.
 *
 * Nothing is armed until `start()`: a handler that returns at once (no
 * promise) never needs the deadline timer, the keep-alive or the signal, so
 * it pays for none of them (an AbortSignal is an EventTarget: costly to make
 * per command). The signal is made when first read.
 */
export class AttemptControl {
  private controller: AbortController | undefined;
  private readonly span: number;
  private current: number;
  private timer: unknown;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private cause: AbortCause | undefined;
  private reason: DOMException | undefined;
  private finished = false;
  private onAbort: ((cause: AbortCause) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    readonly startedAt: number,
    deadline: number,
    private readonly keepAlive?: KeepAlive,
  ) {
    this.span = Math.max(0, deadline - startedAt);
    this.current = deadline;
  }

  /** Resolves with the cause once the attempt is aborted (never rejects). Made on demand. */
  get aborted(): Promise<AbortCause> {
    if (this.cause) return Promise.resolve(this.cause);
    return new Promise((resolve) => {
      const previous = this.onAbort;
      this.onAbort = (cause) => {
        previous?.(cause);
        resolve(cause);
      };
    });
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.reason && !this.controller.signal.aborted) this.controller.abort(this.reason);
    return this.controller.signal;
  }

  /** Epoch ms at which the attempt times out, as of the last heartbeat. */
  get deadline(): number {
    return this.current;
  }

  /** Original span between start and deadline: also how far each heartbeat pushes the deadline. */
  get spanMs(): number {
    return this.span;
  }

  /** Why the attempt was aborted, if it was. */
  get abortCause(): AbortCause | undefined {
    return this.cause;
  }

  /** The handler is still running after its call returned: arm the deadline timer and the keep-alive. Idempotent. */
  start(): void {
    if (this.started || this.finished || this.cause) return;
    this.started = true;
    this.arm();
    if (this.keepAlive) {
      this.keepAliveTimer = setInterval(this.keepAlive.send, this.keepAlive.everyMs);
      this.keepAliveTimer.unref();
    }
  }

  /** Called on a heartbeat: the attempt may run for another span from now. No effect once aborted or finished. */
  extend(): void {
    if (this.cause || this.finished) return;
    this.current = Math.max(this.current, this.clock.now() + this.span);
    if (this.started) this.arm();
  }

  /** Aborts the handler because the squad is shutting down; the attempt is answered INTERRUPTED. */
  interrupt(): void {
    this.abort('shutdown', new DOMException('the squad is shutting down; this attempt was interrupted', 'AbortError'));
  }

  /** The handler settled (or the attempt was answered): release the timers. */
  finish(): void {
    this.finished = true;
    this.release();
  }

  private release(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (this.keepAliveTimer !== undefined) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  private arm(): void {
    this.clock.clearTimer(this.timer);
    const at = this.current;
    this.timer = this.clock.setTimer(at, () =>
      this.abort('timeout', new DOMException(`step deadline passed (${new Date(at).toISOString()})`, 'TimeoutError')),
    );
  }

  private abort(cause: AbortCause, reason: DOMException): void {
    if (this.cause || this.finished) return;
    this.cause = cause;
    this.reason = reason;
    this.release();
    this.controller?.abort(reason);
    const onAbort = this.onAbort;
    this.onAbort = undefined;
    onAbort?.(cause);
  }
}
