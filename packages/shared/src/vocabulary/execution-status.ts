import { z } from 'zod';

/**
 * The statuses users see on an execution (the brief's list). The execution
 * record stores one, the API and the CLI filter and wait on them.
 */
export const ExecutionStatusSchema = z.enum([
  'pending',
  'running',
  'paused',
  'waiting',
  'completed',
  'failed',
  'compensated',
  'escalated',
  'cancelled',
]);
export type ExecutionStatus = z.output<typeof ExecutionStatusSchema>;

/** Every execution status, in the order above. */
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ExecutionStatusSchema.options;

/**
 * The ends: an execution never leaves these. `escalated`, `paused` and
 * `waiting` are not among them: a signal or an operator moves them on.
 */
export const TerminalStatusSchema = ExecutionStatusSchema.extract(['completed', 'failed', 'compensated', 'cancelled']);
export type TerminalStatus = z.output<typeof TerminalStatusSchema>;

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(TerminalStatusSchema.options);

/** Whether `status` is an end (takes any string: machine state values are checked with it too). */
export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as ReadonlySet<string>).has(status);
}
