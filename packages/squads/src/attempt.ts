import type { Clock } from '@squadflow/transport';

/** Why a running attempt was aborted. */
export type AbortCause = 'timeout' | 'shutdown';

/**
 * The lifetime of one handler run: its AbortSignal and its local deadline.
 * The deadline starts as the earlier of the command's deadline and the
 * action's own timeout; a heartbeat moves it to now + that original span,
 * mirroring what the orchestrator does with the step's timeout, so a
 * long action that keeps heartbeating is not aborted here either.
 */
export class AttemptControl {
  /** Resolves with the cause once the attempt is aborted (never rejects). */
  readonly aborted: Promise<AbortCause>;
  private readonly controller = new AbortController();
  private readonly span: number;
  private current: number;
  private timer: unknown;
  private cause: AbortCause | undefined;
  private finished = false;
  private resolveAborted!: (cause: AbortCause) => void;

  constructor(
    private readonly clock: Clock,
    readonly startedAt: number,
    deadline: number,
  ) {
    this.aborted = new Promise((resolve) => (this.resolveAborted = resolve));
    this.span = Math.max(0, deadline - startedAt);
    this.current = deadline;
    this.arm();
  }

  get signal(): AbortSignal {
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

  /** Called on a heartbeat: the attempt may run for another span from now. No effect once aborted or finished. */
  extend(): void {
    if (this.cause || this.finished) return;
    this.current = Math.max(this.current, this.clock.now() + this.span);
    this.arm();
  }

  /** Aborts the handler because the squad is shutting down; the attempt is answered INTERRUPTED. */
  interrupt(): void {
    this.abort('shutdown', new DOMException('the squad is shutting down; this attempt was interrupted', 'AbortError'));
  }

  /** The handler settled (or the attempt was answered): release the timer. */
  finish(): void {
    this.finished = true;
    this.clock.clearTimer(this.timer);
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
    this.clock.clearTimer(this.timer);
    this.controller.abort(reason);
    this.resolveAborted(cause);
  }
}
