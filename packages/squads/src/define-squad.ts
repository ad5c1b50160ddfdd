import { NameSchema, parseDuration, SquadflowError, toFieldIssues, type Duration, type FieldIssue } from '@squadflow/shared';
import { z } from 'zod';
import { normalizeActions, type ActionDefinition, type ActionHandler } from './action.ts';

/**
 * How often a command's handler may run per attempt, like Temporal's
 * activities:
 * - `at-most-once` (the default): the squad records each command in its
 *   idempotency bucket before the handler runs (one KV write per command); a
 *   redelivery after a crash never runs the handler again: it answers a
 *   retryable `INTERRUPTED` and the orchestrator retries as a new attempt.
 * - `at-least-once`: no record; a redelivered command (a squad crash, a lost
 *   ack) runs the handler again with the same `idempotencyKey`. The handler
 *   must tolerate that: be idempotent, or pass the key to the outside service.
 */
export const DeliverySchema = z.enum(['at-most-once', 'at-least-once']);
export type Delivery = z.output<typeof DeliverySchema>;

/** One action a squad offers, with what operators and the engine may know about it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- actions of a squad have different input/output types
export interface SquadAction<I = any, O = any> extends ActionDefinition<I, O> {
  description?: string;
  /** Name of the action in this squad that undoes this one (saga compensation). */
  compensate?: string;
  /** Default time limit of one attempt, enforced by the squad (the step's own timeout still applies). */
  timeout?: Duration;
  /** Whether a redelivered command may run the handler again (default: the squad's `delivery`, else `at-most-once`). */
  delivery?: Delivery;
}

/** A squad: a name and its actions. Run it with `startSquad({ definition, transport })`. */
export interface SquadDefinition<A extends Record<string, SquadAction> = Record<string, SquadAction>> {
  name: string;
  description?: string;
  /** Semantic version shown by the NATS services API and the squad catalog (default `0.1.0`). */
  version?: string;
  /** The default `delivery` of the squad's actions (`at-most-once` when absent); an action's own setting wins. */
  delivery?: Delivery;
  actions: A;
}

/** What `defineSquad` takes: a definition whose actions may also be bare handlers (actions without schemas). */
export interface SquadInput<A extends Record<string, SquadAction | ActionHandler>> extends Omit<SquadDefinition, 'actions'> {
  actions: A;
}

/** The actions of a `SquadInput` once bare handlers became `{ handler }`. */
export type NormalizedActions<A> = { [K in keyof A]: A[K] extends SquadAction ? A[K] : SquadAction };

/** The version reported when a definition does not declare one. */
export const DEFAULT_SQUAD_VERSION = '0.1.0';

/** What the NATS services API accepts as a version (semver 2.0). */
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Declares a squad. A bare function is an action without schemas. Checks the
 * squad and action names (they become subject tokens), the version, each
 * action's `timeout`, and that every `compensate` names an action of the same
 * squad; throws `INVALID_DEFINITION` naming the field.
 */
export function defineSquad<A extends Record<string, SquadAction | ActionHandler>>(
  input: SquadInput<A>,
): SquadDefinition<NormalizedActions<A>> {
  const definition = (
    Object.values(input.actions).some((action) => typeof action === 'function')
      ? { ...input, actions: normalizeActions(input.actions) }
      : input
  ) as SquadDefinition<NormalizedActions<A>>;
  const issues: FieldIssue[] = [];
  const name = NameSchema.safeParse(definition.name);
  if (!name.success) issues.push(...toFieldIssues(name.error.issues, 'name'));
  if (definition.version !== undefined && !SEMVER.test(definition.version)) {
    issues.push({ path: 'version', message: 'expected a semantic version like "1.2.3"' });
  }
  checkDelivery(definition.delivery, 'delivery', issues);
  for (const [action, def] of Object.entries(definition.actions)) {
    const parsed = NameSchema.safeParse(action);
    if (!parsed.success) issues.push(...toFieldIssues(parsed.error.issues, `actions.${action}`));
    if (typeof def?.handler !== 'function') issues.push({ path: `actions.${action}.handler`, message: 'must be a function' });
    if (def.compensate !== undefined && !(def.compensate in definition.actions)) {
      issues.push({ path: `actions.${action}.compensate`, message: `unknown action "${def.compensate}"` });
    }
    if (def.timeout !== undefined && !(parseDuration(def.timeout)! > 0)) {
      issues.push({ path: `actions.${action}.timeout`, message: 'expected a positive duration: milliseconds, "500ms", "30s", "5m"' });
    }
    checkDelivery(def.delivery, `actions.${action}.delivery`, issues);
  }
  if (issues.length) throw new SquadflowError('INVALID_DEFINITION', `invalid squad "${definition.name}"`, issues);
  return definition;
}

/** The delivery an action runs with: its own, else its squad's, else at most once. */
export function deliveryOf(definition: Pick<SquadDefinition, 'delivery'>, action: Pick<SquadAction, 'delivery'>): Delivery {
  return action.delivery ?? definition.delivery ?? 'at-most-once';
}

function checkDelivery(value: unknown, path: string, issues: FieldIssue[]): void {
  if (value === undefined) return;
  const parsed = DeliverySchema.safeParse(value);
  if (!parsed.success) issues.push(...toFieldIssues(parsed.error.issues, path));
}
