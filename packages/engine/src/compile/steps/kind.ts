import type { ExpressionScope, OnError, Step, WorkflowDefinition } from '@squadflow/shared';
import type { z } from 'zod';
import type { MachineState, MachineTransition } from '../machine-names.ts';
import type { StepParams } from '../machine-kit.ts';

export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;

/**
 * What the machine needs of any step, precomputed at registration: the
 * per-event path never parses a duration or walks the definition.
 */
export interface BasePlan {
  name: string;
  type: StepType;
  deps: Array<{ step: string; on?: 'completed' | 'skipped' | 'signal' | 'timeout' }>;
  dependants: string[];
  hasCondition: boolean;
  /**
   * Whether starting the step evaluates expressions (a condition, an input
   * mapping, a signal key). A step with none of them starts without the
   * `evaluating` round, saving a transition per step on the hot path.
   */
  needsEvaluation: boolean;
  delayMs: number;
  onError: OnError;
  /** Who resolves this step's escalation (a task's `escalationTarget`). */
  escalationTarget?: string;
  /** What starting the step evaluates once its condition holds: a task's input, a wait's correlation key. */
  start(scope: ExpressionScope, executionId: string): Promise<StartFields>;
}

export type StartFields = { input?: unknown; key?: string };

/** The plan fields every kind shares, computed by plan.ts; a kind's `plan` completes them. */
export type CommonPlan = Omit<BasePlan, 'type' | 'needsEvaluation' | 'start'>;

/** Plans by step name, for guards and actions (which get the step name as a param). */
export interface Plans {
  /** Any step's plan. */
  step(name: string): BasePlan;
  /** A step's plan, checked to be of one kind. */
  of<P extends BasePlan>(name: string, owns: (plan: BasePlan) => plan is P): P;
  /** Whether the step has a compensation (only tasks do). */
  compensable(name: string): boolean;
}

/** What the step region (region.ts) hands a kind to build its states with. */
export interface RegionParts {
  /** `{ step }`, the params of the step's guards and actions. */
  p: StepParams;
  /** Where a step goes when it failed for good: the step's `onError` decides (skip, escalate, pause or fail). */
  exhausted(actions: NonNullable<MachineTransition['actions']>): MachineTransition;
  /** The step stops because the execution halts (another step failed, or the saga starts). */
  halted: MachineTransition;
}

/**
 * One kind of step (task, wait, human task): everything that differs
 * between kinds lives in its module, found through the registry (index.ts).
 *
 * - `schema` is the kind's part of the definition schema (`@squadflow/shared`);
 * - `plan` precomputes the step's plan from its definition;
 * - `begin` and `states` are its part of the step's statechart region (the
 *   states every kind shares are built by region.ts);
 * - `guards` and `actions` are the named implementations its states use,
 *   given to XState's `setup()` with every other kind's (names are unique);
 * - `recordFields` are the step-record fields it writes, decoded by the read
 *   model and shown in the step view.
 */
export interface StepKind<T extends StepType, P extends BasePlan & { type: T }, G, A, R extends z.ZodRawShape> {
  readonly type: T;
  readonly schema: z.ZodType<StepOf<T>>;
  readonly recordFields: R;
  /** Whether a plan is of this kind. */
  owns(plan: BasePlan): plan is P;
  plan(step: StepOf<T>, common: CommonPlan, def: WorkflowDefinition): P;
  /** The state a started step enters (after `evaluating` and `delayed`). */
  readonly begin: string;
  states(plan: P, parts: RegionParts): Record<string, MachineState>;
  guards(plans: Plans): G;
  actions(plans: Plans): A;
}
