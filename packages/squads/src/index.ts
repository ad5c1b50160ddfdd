export { startSquad, type RunningSquad, type SquadOptions } from './runtime.ts';
export { defineAction, type ActionContext, type ActionDefinition, type ActionHandler } from './action.ts';
export { NonRetryableError } from './errors.ts';
export { defineSquad, DEFAULT_SQUAD_VERSION, type Delivery, type SquadAction, type SquadDefinition } from './define-squad.ts';
export type { ActionStats } from './stats.ts';
export { listSquads, type ActionDescription, type SquadDescription } from './directory.ts';
export { runSquadProcess, type SquadProcess, type SquadProcessConfig, type SquadProcessOptions } from './process.ts';
export * from './notifier/index.ts';
