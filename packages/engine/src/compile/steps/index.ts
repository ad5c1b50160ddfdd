import type { WorkflowDefinition } from '@squadflow/shared';
import { human } from './human.ts';
import type { CommonPlan, Plans, StepOf, StepType } from './kind.ts';
import { task } from './task.ts';
import { wait } from './wait.ts';
import { workflowStep } from './workflow.ts';

/**
 * The step kinds: one entry per `type` of the definition schema's steps (a
 * kind missing here, or one the schema does not have, fails typecheck).
 * Adding a kind: see docs/architecture.md, "How to add a step kind".
 */
export const STEP_KINDS = { task, wait, human, workflow: workflowStep } satisfies { [T in StepType]: { type: T } };

type Kinds = typeof STEP_KINDS;
type Kind = Kinds[StepType];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The plan of a step of any kind (discriminated by `type`). */
export type StepPlan = ReturnType<Kind['plan']>;
/** Every kind's named guards and actions, and the step-record fields they write. */
export type KindGuards = UnionToIntersection<ReturnType<Kind['guards']>>;
export type KindActions = UnionToIntersection<ReturnType<Kind['actions']>>;
export type KindRecordFields = UnionToIntersection<Kind['recordFields']>;

/** The registry typed per `type`, so one call serves a step of any kind (a correlated union). */
const planners: { [T in StepType]: { plan(step: StepOf<T>, common: CommonPlan, def: WorkflowDefinition): ReturnType<Kinds[T]['plan']> } } =
  STEP_KINDS;

export function planStep<T extends StepType>(type: T, step: StepOf<T>, common: CommonPlan, def: WorkflowDefinition): StepPlan {
  return planners[type].plan(step, common, def);
}

/** The named guards and actions every kind contributes, merged (their names must not collide). */
export function kindImplementations(plans: Plans): { guards: KindGuards; actions: KindActions } {
  const kinds: Kind[] = Object.values(STEP_KINDS);
  return {
    guards: merge(kinds.map((k) => k.guards(plans))) as KindGuards,
    actions: merge(kinds.map((k) => k.actions(plans))) as KindActions,
  };
}

/** Step-record fields of every kind, for the record schema. */
export const kindRecordFields = merge(Object.values(STEP_KINDS).map((k) => k.recordFields)) as KindRecordFields;

function merge(parts: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part)) {
      if (name in out) throw new Error(`two step kinds contribute "${name}"`);
      out[name] = value;
    }
  }
  return out;
}
