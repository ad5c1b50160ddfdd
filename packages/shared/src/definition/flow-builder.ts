import type { Duration } from '../duration.ts';
import type { Dependency, InputMapping, WorkflowDefinition, WorkflowDefinitionInput } from './schema.ts';
import { validateDefinition } from './validate.ts';

/** Seed 003's `onError`: a strategy plus its settings. */
export interface ErrorStrategy {
  strategy: 'retry' | 'compensate' | 'escalate' | 'skip' | 'pause' | 'fail';
  maxRetries?: number;
  backoffStrategy?: 'exponential' | 'fixed';
  initialInterval?: Duration;
  /** The squad action that undoes the step (same squad unless `compensationSquad`). */
  compensationStep?: string;
  compensationSquad?: string;
  /** Who resolves an escalation: the step's `escalationTarget` (recorded on the step, in `execution.escalated`, told by the notifier). */
  escalationTarget?: string;
}

/** One step in seed 003's shape: a squad and action (the seed's `agent`), sequential unless `dependencies` say otherwise. */
export interface FlowStep {
  squad: string;
  action: string;
  dependencies?: string[];
  timeout?: Duration;
  /** Shorthand for `onError: { strategy: 'retry', maxRetries }`. */
  retries?: number;
  input?: InputMapping;
  condition?: string;
  delay?: Duration;
  onError?: ErrorStrategy;
  outputSchema?: Record<string, unknown>;
  description?: string;
}

export type BranchStep = FlowStep & { name: string };

export interface HumanTaskOptions {
  assignee: string;
  title?: string;
  /** After this long, the assignee is reminded (seed 003: 24 h). */
  timeout?: Duration;
  /** After `escalation.timeout` the task goes to `escalateTo` (seed 003: 48 h, the director). */
  escalation?: { timeout: Duration; escalateTo: string };
  /** A hard deadline: the task then ends with the `timeout` outcome. */
  deadline?: Duration;
  signal?: string;
  lookback?: Duration;
}

/**
 * Seed 003's builder: `setName`, `setDescription`, `addStep`,
 * `addParallelBranch`, `addConditionalBranch`, `addSwitch`, `addPipeline`,
 * `addHumanTask`, `addWait`, `addEventTrigger`, `build`. Steps run in the
 * order they are added unless `dependencies` say otherwise; branches fork
 * from the last step and the next step joins them. It produces the same JSON
 * definition that files hold and `workflow()` builds, validated.
 *
 * Conditions are JSONata strings over the execution context (not
 * JavaScript lambdas: definitions must stay serializable and safe).
 */
export class FlowBuilder {
  private readonly def: WorkflowDefinitionInput & { steps: Array<Record<string, unknown>> };
  /** The steps the next addition depends on. */
  private frontier: Dependency[] = [];

  constructor(name = 'workflow') {
    this.def = { name, steps: [] };
  }

  setName(name: string): this {
    this.def.name = name;
    return this;
  }

  setDescription(description: string): this {
    this.def.description = description;
    return this;
  }

  setContextSchema(schema: Record<string, unknown>): this {
    this.def.contextSchema = schema;
    return this;
  }

  /** Seed 002's `continue_on_error`. */
  setContinueOnError(value = true): this {
    this.def.continueOnError = value;
    return this;
  }

  addStep(name: string, step: FlowStep): this {
    this.push(name, step, step.dependencies ?? this.frontier);
    this.frontier = [name];
    return this;
  }

  /** Fork-join: each branch runs in sequence, the branches in parallel; the next step waits for all. */
  addParallelBranch(branches: Array<BranchStep[] | { name: string; steps: BranchStep[] }>): this {
    const start = this.frontier;
    const ends: Dependency[] = [];
    for (const branch of branches) ends.push(...this.chain(Array.isArray(branch) ? branch : branch.steps, start));
    this.frontier = ends;
    return this;
  }

  /** Runs `trueBranch` when the condition holds, else `falseBranch`; the steps of the branch not taken are skipped. */
  addConditionalBranch(options: { condition: string; trueBranch: BranchStep[]; falseBranch?: BranchStep[] }): this {
    return this.addSwitch({
      cases: [{ when: options.condition, steps: options.trueBranch }],
      ...(options.falseBranch ? { otherwise: options.falseBranch } : {}),
    });
  }

  /** Multi-way branch: the first case whose `when` holds runs; `otherwise` when none does. */
  addSwitch(options: { cases: Array<{ when: string; steps: BranchStep[] }>; otherwise?: BranchStep[] }): this {
    const start = this.frontier;
    const ends: Dependency[] = [];
    const earlier: string[] = [];
    for (const { when, steps } of options.cases) {
      const guard = earlier.length ? `(${when}) and $not(${earlier.map((w) => `(${w})`).join(' or ')})` : when;
      ends.push(...this.chain(steps, start, guard));
      earlier.push(when);
    }
    if (options.otherwise?.length) ends.push(...this.chain(options.otherwise, start, `$not(${earlier.map((w) => `(${w})`).join(' or ')})`));
    this.frontier = ends.map((d) => (typeof d === 'string' ? d : d.step));
    return this;
  }

  /** A pipeline: each stage gets the previous stage's output; `outputSchema` validates between stages. */
  addPipeline(stages: BranchStep[]): this {
    let previous: string | undefined;
    for (const stage of stages) {
      const input = stage.input ?? (previous ? `$steps.${previous}` : undefined);
      this.addStep(stage.name, { ...stage, ...(input === undefined ? {} : { input }) });
      previous = stage.name;
    }
    return this;
  }

  addHumanTask(name: string, options: HumanTaskOptions): this {
    const escalations = [
      ...(options.timeout !== undefined ? [{ after: options.timeout, to: options.assignee }] : []),
      ...(options.escalation ? [{ after: options.escalation.timeout, to: options.escalation.escalateTo }] : []),
    ];
    this.def.steps.push({
      name,
      type: 'human',
      assignee: options.assignee,
      dependsOn: this.frontier,
      escalations,
      ...(options.title ? { title: options.title } : {}),
      ...(options.deadline !== undefined ? { timeout: options.deadline } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.lookback !== undefined ? { lookback: options.lookback } : {}),
    });
    this.frontier = [name];
    return this;
  }

  /** Waits for a signal (or an event mapped to one, see `addEventTrigger`) with an optional timeout. */
  addWait(name: string, options: { signal: string; timeout?: Duration; lookback?: Duration }): this {
    this.def.steps.push({ name, type: 'wait', dependsOn: this.frontier, ...options });
    this.frontier = [name];
    return this;
  }

  /**
   * An event on NATS `subject`. Before the first step, it starts the workflow
   * when `condition` (JSONata over the event) holds, with `context` mapping
   * the event (default: the event itself). After steps, it maps a further
   * event to a signal (`signal`: a JSONata expression over the event giving
   * the correlation key) that a later `addWait` resumes on.
   */
  addEventTrigger(subject: string, options: { condition?: string; context?: string; signal?: string; idempotencyKey?: string } = {}): this {
    const on = (this.def.events ??= []);
    on.push({ subject, ...options });
    return this;
  }

  build(): WorkflowDefinition {
    return validateDefinition(structuredClone(this.def));
  }

  /** Adds a branch's steps in sequence after `start`; the first one carries `condition`. Returns the branch's last step. */
  private chain(steps: BranchStep[], start: Dependency[], condition?: string): Dependency[] {
    let previous: Dependency[] = start;
    steps.forEach((step, i) => {
      const own = i === 0 && condition ? (step.condition ? `(${condition}) and (${step.condition})` : condition) : step.condition;
      // After the first step, a branch continues only if the step before it ran: a branch not taken is skipped as a whole.
      const deps = i === 0 ? previous : previous.map((d) => ({ step: typeof d === 'string' ? d : d.step, on: 'completed' as const }));
      this.push(step.name, { ...step, ...(own ? { condition: own } : {}) }, step.dependencies ?? deps);
      previous = [step.name];
    });
    return previous;
  }

  private push(name: string, step: FlowStep, dependsOn: Dependency[]): void {
    const { dependencies: _d, retries, onError, ...rest } = step;
    const strategy = onError?.strategy;
    const maxRetries = onError?.maxRetries ?? retries;
    this.def.steps.push({
      name,
      type: 'task',
      ...rest,
      dependsOn,
      ...(maxRetries !== undefined
        ? {
            retry: {
              retries: maxRetries,
              backoffCoefficient: onError?.backoffStrategy === 'fixed' ? 1 : 2,
              ...(onError?.initialInterval !== undefined ? { initialInterval: onError.initialInterval } : {}),
            },
          }
        : {}),
      ...(strategy && strategy !== 'retry' ? { onError: strategy } : {}),
      ...(onError?.compensationStep
        ? { compensate: { action: onError.compensationStep, ...(onError.compensationSquad ? { squad: onError.compensationSquad } : {}) } }
        : {}),
      ...(onError?.escalationTarget ? { escalationTarget: onError.escalationTarget } : {}),
    });
  }
}
