export { startSquad, type RunningSquad, type SquadOptions } from './runtime.ts';
export { defineAction, type ActionContext, type ActionDefinition, type ActionHandler } from './action.ts';
export { NonRetryableError, RuntimeErrorCode } from './errors.ts';
export { IDEMPOTENCY_TTL_MS, idempotencyRecordCodec, type IdempotencyRecord } from './idempotency.ts';
export { defineSquad, type SquadAction, type SquadDefinition } from './define-squad.ts';
