/**
 * What one orchestrator process counted since it started
 * (`Orchestrator.stats()`): the events it gave up on and the signals it
 * could not keep. Each is also logged when it happens.
 */
export interface OrchestratorStats {
  /** Executions this process failed because an event kept failing or killing the process (`POISON_EVENT`). */
  quarantined: number;
  /** Signals that found nobody waiting and were not buffered: larger than the per-signal bound, or the buffer was full. */
  signalsNotBuffered: { tooLarge: number; full: number };
}

export function newStats(): OrchestratorStats {
  return { quarantined: 0, signalsNotBuffered: { tooLarge: 0, full: 0 } };
}
