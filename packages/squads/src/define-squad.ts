import { NameSchema, SquadflowError, toFieldIssues, type Duration } from '@squadflow/shared';
import type { ActionDefinition } from './action.ts';

/** One action a squad offers, with what operators and the engine may know about it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- actions of a squad have different input/output types
export interface SquadAction<I = any, O = any> extends ActionDefinition<I, O> {
  description?: string;
  /** Name of the action in this squad that undoes this one (saga compensation). */
  compensate?: string;
  /** Default time limit of one attempt, enforced by the squad (the step's own timeout still applies). */
  timeout?: Duration;
}

/** A squad: a name and its actions. Run it with `startSquad({ definition, transport })`. */
export interface SquadDefinition<A extends Record<string, SquadAction> = Record<string, SquadAction>> {
  name: string;
  description?: string;
  actions: A;
}

/**
 * Declares a squad. Checks the squad and action names (they become subject
 * tokens) and that every `compensate` names an action of the same squad;
 * throws `INVALID_DEFINITION` naming the field.
 */
export function defineSquad<A extends Record<string, SquadAction>>(definition: SquadDefinition<A>): SquadDefinition<A> {
  const issues = [];
  const name = NameSchema.safeParse(definition.name);
  if (!name.success) issues.push(...toFieldIssues(name.error.issues, 'name'));
  for (const [action, def] of Object.entries(definition.actions)) {
    const parsed = NameSchema.safeParse(action);
    if (!parsed.success) issues.push(...toFieldIssues(parsed.error.issues, `actions.${action}`));
    if (def.compensate !== undefined && !(def.compensate in definition.actions)) {
      issues.push({ path: `actions.${action}.compensate`, message: `unknown action "${def.compensate}"` });
    }
  }
  if (issues.length) throw new SquadflowError('INVALID_DEFINITION', `invalid squad "${definition.name}"`, issues);
  return definition;
}
