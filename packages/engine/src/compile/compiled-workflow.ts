import {
  compileJsonSchema,
  evaluateCondition,
  compileExpression,
  SquadflowError,
  validateDefinition,
  type ExpressionScope,
  type FieldIssue,
  type WorkflowDefinition,
} from '@squadflow/shared';
import { outputs } from './context-ops.ts';
import { machineEvent } from './events.ts';
import { buildMachine, type WorkflowMachine } from './machine.ts';
import { machineRunner, type MachineRunner } from './machine-runner.ts';
import { planWorkflow, type WorkflowPlan } from './plan.ts';
import { mapInput } from './steps/task.ts';
import type { Effect, ExecutionContext, MachineEvent } from './types.ts';

/** One registered workflow version, compiled once: the machine plus everything the loop evaluates. */
export interface CompiledWorkflow {
  readonly definition: WorkflowDefinition;
  readonly version: number;
  readonly plan: WorkflowPlan;
  readonly machine: WorkflowMachine;
  /** Pure transitions on one reused actor scope (the hot path; see machine-runner.ts). */
  readonly runner: MachineRunner;
  /** Issues of a trigger context against `contextSchema` (empty when valid). */
  checkContext(context: unknown): FieldIssue[];
  /** Resolves an `evaluate` effect into the event that answers it. */
  evaluate(ctx: ExecutionContext, step: string, purpose: 'step' | 'compensation'): Promise<MachineEvent>;
  /** The execution output: the `output` expression, or every step output by name. */
  output(ctx: ExecutionContext): Promise<unknown>;
  /** The `then` handoffs of a completed execution, as trigger effects (empty when none applies). */
  handoffs(ctx: ExecutionContext): Promise<Effect[]>;
}

/**
 * Validates and compiles a definition, in one go; throws `DEFINITION_TOO_LARGE`
 * or `INVALID_DEFINITION` naming the step and the problem. Long-lived
 * processes compile with `compileWorkflowAsync` (the registry does).
 */
export function compileWorkflow(input: unknown, version: number): CompiledWorkflow {
  const phases = compilePhases(validateDefinition(input), version);
  for (;;) {
    const next = phases.next();
    if (next.done) return next.value;
  }
}

/**
 * `compileWorkflow`, giving the event loop a turn before each phase
 * (validation, plan, machine, the rest) of a definition of more than
 * {@link YIELD_ABOVE_STEPS} steps, so that other requests and other
 * executions' events run between them. Each phase is linear in the number of
 * steps; the machine (XState's `createMachine`) is the longest, 0.1–0.2 ms
 * per step (BENCHMARKS.md). A smaller definition compiles in one go: its
 * whole compile is shorter than the turns would delay it.
 */
export async function compileWorkflowAsync(input: unknown, version: number): Promise<CompiledWorkflow> {
  const steps = isRecord(input) && Array.isArray(input['steps']) ? input['steps'].length : 0;
  if (steps <= YIELD_ABOVE_STEPS) return compileWorkflow(input, version);
  await yieldToEventLoop();
  const phases = compilePhases(validateDefinition(input), version);
  for (;;) {
    await yieldToEventLoop();
    const next = phases.next();
    if (next.done) return next.value;
  }
}

/** Definitions up to this many steps compile in about 25 ms at most, without yielding. */
export const YIELD_ABOVE_STEPS = 100;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Lets I/O callbacks and timers queued meanwhile run (`setImmediate` runs after them). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The compile after validation; each `yield` ends a phase (a point where an async compile lets other work run). */
function* compilePhases(definition: WorkflowDefinition, version: number): Generator<void, CompiledWorkflow> {
  const checkContext = definition.contextSchema ? compileJsonSchema(definition.contextSchema) : () => [];
  const plan = planWorkflow(definition, version);
  yield;
  const machine = buildMachine(plan);
  yield;
  const conditions = new Map(definition.steps.map((s) => [s.name, s.condition]));
  const scopeOf = (ctx: ExecutionContext): ExpressionScope => ({
    context: ctx.input,
    steps: outputs(ctx),
    execution: { id: ctx.executionId, workflow: ctx.workflow },
  });

  return {
    definition,
    version,
    plan,
    machine,
    runner: machineRunner(machine),
    checkContext,
    async evaluate(ctx, name, purpose) {
      const step = plan.steps.get(name)!;
      const scope = scopeOf(ctx);
      try {
        if (purpose === 'compensation') {
          const mapping = step.type === 'task' ? step.compensate?.input : undefined;
          const input = mapping === undefined ? undefined : await mapInput(mapping, scope);
          return machineEvent.compEval(name, input === undefined ? {} : { input });
        }
        const condition = conditions.get(name);
        if (condition !== undefined && !(await evaluateCondition(condition, scope))) {
          return machineEvent.eval(name, { run: false, reason: `condition is false: ${condition}` });
        }
        return machineEvent.eval(name, { run: true, ...(await step.start(scope, ctx.executionId)) });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return purpose === 'compensation'
          ? machineEvent.compEval(name, { error: message })
          : machineEvent.eval(name, { run: false, error: message });
      }
    },
    async output(ctx) {
      if (!definition.output) return outputs(ctx);
      return compileExpression(definition.output).evaluate(scopeOf(ctx));
    },
    async handoffs(ctx) {
      if (!definition.then?.length) return [];
      const scope = { ...scopeOf(ctx), output: await this.output(ctx) };
      const effects: Effect[] = [];
      for (const [i, next] of definition.then.entries()) {
        if (next.when && !(await evaluateCondition(next.when, scope))) continue;
        const context = next.input ? await compileExpression(next.input).evaluate(scope) : scope.output;
        if (!context || typeof context !== 'object' || Array.isArray(context)) {
          throw new SquadflowError('INVALID_EXPRESSION', `then.${i}: the next context must be a JSON object`);
        }
        effects.push({
          kind: 'trigger',
          workflow: next.workflow,
          context: context as Record<string, unknown>,
          idempotencyKey: `then.${ctx.executionId}.${i}`,
        });
      }
      return effects;
    },
  };
}

export function assertContext(workflow: CompiledWorkflow, context: unknown): void {
  const issues = workflow.checkContext(context);
  if (issues.length) {
    throw new SquadflowError('INVALID_CONTEXT', `invalid context for workflow "${workflow.definition.name}"`, issues);
  }
}
