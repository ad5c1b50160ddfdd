export { startSquad, DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_SQUAD_CONCURRENCY, type RunningSquad, type SquadOptions } from './runtime.ts';
export { defineAction, type ActionContext, type ActionDefinition, type ActionHandler } from './action.ts';
export { NonRetryableError } from './errors.ts';
export { IDEMPOTENCY_TTL_MS, idempotencyRecordCodec, type IdempotencyRecord } from './idempotency.ts';
export { defineSquad, DEFAULT_SQUAD_VERSION, type SquadAction, type SquadDefinition } from './define-squad.ts';
export { HEARTBEAT_MAX_RATE_MS } from './heartbeat.ts';
export type { ActionStats } from './stats.ts';
export {
  describeSquad,
  listSquads,
  squadDescriptionCodec,
  SquadDescriptionSchema,
  type ActionDescription,
  type SquadDescription,
} from './directory.ts';
export {
  loadSquadProcessConfig,
  runSquadProcess,
  SquadEnvSchema,
  type SquadProcess,
  type SquadProcessConfig,
  type SquadProcessOptions,
} from './process.ts';
