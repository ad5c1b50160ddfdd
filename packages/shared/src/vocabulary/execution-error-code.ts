import { z } from 'zod';

/**
 * Codes the engine puts on a whole execution's error (`ExecutionView.error.code`)
 * when it ends it itself, rather than a step failing:
 * - `POISON_EVENT`: one of its events failed, or killed the orchestrator,
 *   too many times in a row (`maxEventAttempts`); the execution is
 *   quarantined so the others go on;
 * - `RECORD_TOO_LARGE`: its record (context, step inputs and outputs, the
 *   persisted statechart) would be larger than the KV store accepts.
 *
 * A step's failure ends the execution with that step's error code instead
 * (`StepErrorCode`, or a squad's own); a trigger that cannot start, with the
 * `SquadflowError` code (`WORKFLOW_NOT_FOUND`, `INVALID_CONTEXT`).
 */
export const ExecutionErrorCodeSchema = z.enum(['POISON_EVENT', 'RECORD_TOO_LARGE']);
export type ExecutionErrorCode = z.output<typeof ExecutionErrorCodeSchema>;
/** The codes by name: `ExecutionErrorCode.POISON_EVENT`. */
export const ExecutionErrorCode = ExecutionErrorCodeSchema.enum;
