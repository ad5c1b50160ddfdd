import { SquadflowError } from '../errors.ts';

/**
 * What one expression evaluation may use, so that a typo in a definition or a
 * customer's text in the data cannot take the orchestrator down
 * (docs/definitions.md, "Limits"). Sizes follow NATS's 1 MiB `max_payload`:
 * nothing larger can be sent or stored anyway, so a larger value is a mistake
 * on its way to a crash, not data.
 */
export const EXPRESSION_LIMITS = Object.freeze({
  /** Nested evaluation frames (JSONata's `stack` option). */
  depth: 200,
  /**
   * Nodes one evaluation may evaluate (a step budget, not a clock: the same
   * expression on the same data passes or fails the same way whatever the
   * machine's load, or a pause of the process, did meanwhile). About 1 µs per
   * node on a 2-core machine: the budget is a few hundred milliseconds of CPU.
   */
  steps: 250_000,
  /** Characters in any string an evaluation reads or builds. */
  stringLength: 1_048_576,
  /**
   * Size of any array or object an evaluation builds, and of its result,
   * measured roughly as JSON characters (each number counts 4).
   */
  valueSize: 4 * 1_048_576,
  /** Items built in total by one evaluation (array items plus string characters), garbage included. */
  built: 10_000_000,
  /** Items in one range (`[1..n]`); JSONata's own bound is 10 million. */
  rangeItems: 100_000,
  /** Instructions of a compiled regular expression (RE2's program size). */
  regexProgram: 1_000,
  /**
   * Characters scanned times program size, summed over every regex search of
   * one evaluation: RE2 is linear in both, so this bounds the time spent in
   * native regex loops (`$replace`, `$match`) that JSONata's own checks never see.
   */
  regexWork: 20_000_000,
  /** Width given in a date/time picture (`[Y,4]`, `[M01,2-2]`). */
  pictureWidth: 64,
});

/** The error of an evaluation that went past a limit; `what` says which, in words. */
export function limitError(what: string): SquadflowError {
  return new SquadflowError('EXPRESSION_LIMIT', what);
}

/** Throws `EXPRESSION_LIMIT` for a string longer than the string limit. */
export function checkStringLength(length: number, what: string): void {
  if (length > EXPRESSION_LIMITS.stringLength) {
    throw limitError(`${what} would be ${length} characters long, over the limit of ${EXPRESSION_LIMITS.stringLength}`);
  }
}
