/** Counters of one action in this replica since it started. */
export interface ActionStats {
  /** Commands answered after validation: handler runs plus INVALID_INPUT rejections. */
  handled: number;
  /** Of those, answered with an error (any code, retryable or not). */
  failed: number;
  /** Handlers running now. */
  inFlight: number;
  /** Handler runs that ended (settled, failed or aborted). */
  runs: number;
  /** Time spent in those runs, in ms (their mean is what the squads page shows). */
  handlerMs: number;
  /** Message of the last error reply, if any. */
  lastError?: string;
}

/**
 * Per-action counters of one squad replica. They feed `RunningSquad.stats()`
 * and the `data` of each endpoint in the NATS services API's STATS answer
 * (the services API itself only counts requests to the endpoint subject,
 * which is for descriptions, not commands).
 */
export class SquadStats {
  private readonly byAction = new Map<string, ActionStats>();

  constructor(actions: Iterable<string>) {
    for (const action of actions) this.byAction.set(action, { handled: 0, failed: 0, inFlight: 0, runs: 0, handlerMs: 0 });
  }

  /** A handler starts running. */
  started(action: string): void {
    const s = this.byAction.get(action);
    if (s) s.inFlight++;
  }

  /** A handler stopped running (finished, failed or was aborted) after `elapsedMs`. */
  ended(action: string, elapsedMs = 0): void {
    const s = this.byAction.get(action);
    if (!s) return;
    s.inFlight--;
    s.runs++;
    s.handlerMs += elapsedMs;
  }

  /** A command was answered (after a handler run or a validation failure), with `error` if it failed. */
  answered(action: string, error: { message: string } | undefined): void {
    const s = this.byAction.get(action);
    if (!s) return;
    s.handled++;
    if (error) {
      s.failed++;
      s.lastError = error.message;
    }
  }

  /** A copy of one action's counters (undefined for an unknown action). */
  of(action: string): ActionStats | undefined {
    const s = this.byAction.get(action);
    return s && { ...s };
  }

  /** A copy of every action's counters. */
  snapshot(): Record<string, ActionStats> {
    return Object.fromEntries([...this.byAction].map(([action, s]) => [action, { ...s }]));
  }
}
