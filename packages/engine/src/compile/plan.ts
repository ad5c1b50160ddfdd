import { dependencyName, durationMs, type WorkflowDefinition } from '@squadflow/shared';
import { planStep, type StepPlan } from './steps/index.ts';
import type { CommonPlan } from './steps/kind.ts';

export type { StepPlan } from './steps/index.ts';

/**
 * A definition with everything the machine needs precomputed at registration:
 * durations in ms, effective retry policies, dependency lists. The per-event
 * path never parses a duration or walks the definition. Each step's plan is
 * its kind's (steps/): common fields here, the rest from the kind module.
 */
export interface WorkflowPlan {
  name: string;
  version: number;
  steps: Map<string, StepPlan>;
  order: string[];
  /** At most this many executions at once (the rest queue). */
  concurrencyLimit?: number;
}

export function planWorkflow(def: WorkflowDefinition, version: number): WorkflowPlan {
  const steps = new Map<string, StepPlan>();
  for (const step of def.steps) {
    const common: CommonPlan = {
      name: step.name,
      deps: step.dependsOn.map((d) => (typeof d === 'string' ? { step: d } : { step: d.step, on: d.on })),
      dependants: [],
      hasCondition: step.condition !== undefined,
      delayMs: step.delay === undefined ? 0 : durationMs(step.delay),
      onError: def.continueOnError ? 'skip' : 'fail',
      ...(step.type === 'task' && step.escalationTarget !== undefined ? { escalationTarget: step.escalationTarget } : {}),
    };
    steps.set(step.name, planStep(step.type, step, common, def));
  }
  for (const step of def.steps) for (const d of step.dependsOn) steps.get(dependencyName(d))?.dependants.push(step.name);
  return {
    name: def.name,
    version,
    steps,
    order: def.steps.map((s) => s.name),
    ...(def.concurrency ? { concurrencyLimit: def.concurrency.limit } : {}),
  };
}
