import type { z } from 'zod';
import { SquadflowError, type FieldIssue } from '../errors.ts';
import { compileExpression } from '../expressions.ts';
import { dependencyName } from './dependencies.ts';
import { checkDefinitionLimits } from './limits.ts';
import { WorkflowDefinitionSchema, type Step, type WorkflowDefinition } from './schema.ts';
import { checkField } from './steps/common.ts';
import { checkTaskStep } from './steps/task.ts';
import { checkSignalKey, checkWaitStep } from './steps/wait.ts';
import { checkWorkflowStep } from './steps/workflow.ts';

/** Each step kind's meaning checks (its part of the schema is in steps/), by type. */
const STEP_CHECKS: { [T in Step['type']]: (step: Extract<Step, { type: T }>, at: string) => FieldIssue[] } = {
  task: checkTaskStep,
  wait: checkWaitStep,
  human: checkSignalKey,
  workflow: checkWorkflowStep,
};

function checkStep<T extends Step['type']>(type: T, step: Extract<Step, { type: T }>, at: string): FieldIssue[] {
  return STEP_CHECKS[type](step, at);
}

/**
 * Validates a definition: shape (zod), then meaning: duplicate step names,
 * unknown dependencies, `on:` used on a step that is not a wait, cycles, and
 * expressions that do not parse. Each issue names the step and the problem.
 * Throws `DEFINITION_TOO_LARGE` for a definition over a limit (limits.ts),
 * checked first, and `INVALID_DEFINITION`; returns the definition with
 * defaults filled in.
 */
export function validateDefinition(input: unknown): WorkflowDefinition {
  // Before any parsing: a definition over a limit costs nothing more than its measure.
  checkDefinitionLimits(input);
  const parsed = WorkflowDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const name = isRecord(input) && typeof input['name'] === 'string' ? ` ${JSON.stringify(input['name'])}` : '';
    throw new SquadflowError('INVALID_DEFINITION', `invalid workflow definition${name}`, shapeIssues(input, parsed.error.issues));
  }
  const def = parsed.data;
  const issues: FieldIssue[] = [];
  const byName = new Map<string, Step>();
  def.steps.forEach((step, i) => {
    if (byName.has(step.name)) issues.push({ path: `steps.${i}.name`, message: `duplicate step name "${step.name}"` });
    byName.set(step.name, step);
  });
  def.steps.forEach((step, i) => {
    step.dependsOn.forEach((dep, j) => {
      const name = dependencyName(dep);
      const target = byName.get(name);
      const path = `steps.${i}.dependsOn.${j}`;
      if (!target) issues.push({ path, message: `step "${step.name}" depends on unknown step "${name}"` });
      else if (name === step.name) issues.push({ path, message: `step "${step.name}" depends on itself` });
      else if (
        typeof dep !== 'string' &&
        (dep.on === 'signal' || dep.on === 'timeout') &&
        (target.type === 'task' || target.type === 'workflow')
      ) {
        issues.push({ path, message: `step "${step.name}": "on: ${dep.on}" needs a wait or human step, "${name}" is a ${target.type}` });
      }
    });
    if (step.condition) {
      const condition = step.condition;
      checkField(issues, `steps.${i}.condition`, step.name, () => compileExpression(condition));
    }
    issues.push(...checkStep(step.type, step, `steps.${i}`));
  });
  if (def.output) {
    try {
      compileExpression(def.output);
    } catch (err) {
      issues.push({ path: 'output', message: (err as Error).message });
    }
  }
  def.events?.forEach((event, i) => {
    for (const key of ['condition', 'context', 'signal', 'idempotencyKey'] as const) {
      const source = event[key];
      if (source === undefined) continue;
      try {
        compileExpression(source);
      } catch (err) {
        issues.push({ path: `events.${i}.${key}`, message: (err as Error).message });
      }
    }
  });
  def.then?.forEach((next, i) => {
    for (const key of ['input', 'when'] as const) {
      const source = next[key];
      if (source === undefined) continue;
      try {
        compileExpression(source);
      } catch (err) {
        issues.push({ path: `then.${i}.${key}`, message: (err as Error).message });
      }
    }
  });
  if (!issues.length) {
    const cycle = findCycle(def.steps);
    if (cycle) {
      const i = def.steps.findIndex((s) => s.name === cycle[0]);
      issues.push({ path: `steps.${i}.dependsOn`, message: `step "${cycle[0]}" is in a dependency cycle: ${cycle.join(' -> ')}` });
    }
  }
  if (issues.length) throw new SquadflowError('INVALID_DEFINITION', `invalid workflow definition "${def.name}"`, issues);
  return def;
}

/**
 * Zod issues as field issues that name the step at fault (`step "b": ...`),
 * with one issue per unknown key at that key's path (`steps.0.retries`).
 */
function shapeIssues(input: unknown, issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  const steps = isRecord(input) && Array.isArray(input['steps']) ? (input['steps'] as unknown[]) : [];
  return issues.flatMap((issue) => {
    const located: Array<[PropertyKey[], string]> =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => [[...issue.path, key], `unknown field ${JSON.stringify(key)}`])
        : [[issue.path, issue.message]];
    return located.map(([path, message]) => {
      const step = path[0] === 'steps' && typeof path[1] === 'number' ? steps[path[1]] : undefined;
      const stepName = isRecord(step) && typeof step['name'] === 'string' ? step['name'] : undefined;
      return { path: path.map(String).join('.'), message: stepName ? `step ${JSON.stringify(stepName)}: ${message}` : message };
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Depth-first search; returns the cycle as a path of step names, or undefined. */
function findCycle(steps: readonly Step[]): string[] | undefined {
  const deps = new Map(steps.map((s) => [s.name, s.dependsOn.map(dependencyName)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step.name);
    if (cycle) return cycle;
  }
  return undefined;
}
