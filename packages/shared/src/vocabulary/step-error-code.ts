import { z } from 'zod';

/**
 * The codes squadflow itself puts on step errors (`StepError.code`):
 * - `UNKNOWN_ACTION`, `INVALID_INPUT`: the squad refused the command (not retryable);
 * - `INVALID_OUTPUT`: the result broke the action's or the step's output schema (not retryable);
 * - `INTERRUPTED`: the squad shut down or died mid-attempt (retryable, as a new attempt);
 * - `TIMEOUT`: the attempt's deadline passed (retryable);
 * - `CIRCUIT_OPEN`: the action's circuit breaker is open (retryable after `retryAfterMs` when the step waits);
 * - `EXPRESSION`: the step's input or condition expression failed (not retryable);
 * - `PAYLOAD_TOO_LARGE`: the step's mapped input, its command, or the squad's reply is larger than the
 *   engine's step payload bound or the transport's max payload (not retryable);
 * - `CHILD_FAILED`: a `workflow` step's child execution ended otherwise than `completed` (retryable:
 *   a retry starts a new child);
 * - `EXECUTION_NOT_COMPLETED`: the execution a wait watched ended otherwise than `completed`, or is
 *   unknown (not retryable; the step's `onError` decides, `skip` makes a branch).
 *
 * The wire field stays an open string: a handler's own code (a
 * `NonRetryableError` code, Node's `ECONNRESET`) is copied onto the reply,
 * and squads written outside this repository publish replies of their own.
 * These are the codes the runtime gives a meaning to.
 */
export const StepErrorCodeSchema = z.enum([
  'UNKNOWN_ACTION',
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'INTERRUPTED',
  'TIMEOUT',
  'CIRCUIT_OPEN',
  'EXPRESSION',
  'PAYLOAD_TOO_LARGE',
  'CHILD_FAILED',
  'EXECUTION_NOT_COMPLETED',
]);
export type StepErrorCode = z.output<typeof StepErrorCodeSchema>;
/** The codes by name: `StepErrorCode.TIMEOUT`. */
export const StepErrorCode = StepErrorCodeSchema.enum;
