export { createTrafficSquad, type TrafficSquadDeps } from './squad.ts';
export { cartRecoveryBudget, leadNurtureBudget } from './budget.ts';
