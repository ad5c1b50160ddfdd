/**
 * What one orchestrator process counted since it started
 * (`Orchestrator.stats()`): the events it gave up on and the signals it
 * could not keep. Each is also logged when it happens.
 */
export interface OrchestratorStats {
  /**
   * Executions this process failed without applying their event: one kept
   * failing or killing the process (`POISON_EVENT`), or their record would
   * have outgrown the store (`RECORD_TOO_LARGE`).
   */
  quarantined: { poisonEvents: number; recordsTooLarge: number };
  /** Signals that found nobody waiting and were not buffered: larger than the per-signal bound, or the buffer was full. */
  signalsNotBuffered: { tooLarge: number; full: number };
}

export function newStats(): OrchestratorStats {
  return { quarantined: { poisonEvents: 0, recordsTooLarge: 0 }, signalsNotBuffered: { tooLarge: 0, full: 0 } };
}
