import type { Duration } from '../duration.ts';
import type { InputMapping, OnError, RetryPolicy, WorkflowDefinition, WorkflowDefinitionInput } from './schema.ts';
import { validateDefinition } from './validate.ts';

type Dep<Names extends string> = Names | { step: Names; on: 'completed' | 'skipped' | 'signal' | 'timeout' };

interface CommonOptions<Names extends string> {
  condition?: string;
  delay?: Duration;
  dependsOn?: ReadonlyArray<Dep<Names>>;
  description?: string;
}

export interface TaskOptions<Names extends string> extends CommonOptions<Names> {
  squad: string;
  action: string;
  input?: InputMapping;
  retry?: Partial<Omit<RetryPolicy, 'initialInterval' | 'maxInterval'>> & { initialInterval?: Duration; maxInterval?: Duration };
  timeout?: Duration;
  onError?: OnError;
  /** Who resolves an escalation of this step (`onError: escalate`, or `compensate` whose compensation fails). */
  escalationTarget?: string;
  compensate?: { squad?: string; action: string; input?: InputMapping };
  /** JSON Schema the output must satisfy (validation between pipeline stages). */
  outputSchema?: Record<string, unknown>;
  circuitBreaker?: { failureThreshold?: number; resetAfter?: Duration; whileOpen?: 'fail' | 'wait' };
}

export interface HumanOptions<Names extends string> extends CommonOptions<Names> {
  assignee: string;
  title?: string;
  /** Correlation key template; default `human_<execution id>_<step>`. */
  signal?: string;
  timeout?: Duration;
  escalations?: Array<{ after: Duration; to: string }>;
  /** A decision sent up to this long before the task began still completes it (default 60 s). */
  lookback?: Duration;
}

/** A `workflow` step: runs another workflow as a child execution and takes its output. */
export interface ChildWorkflowOptions<Names extends string> extends CommonOptions<Names> {
  workflow: string;
  version?: number;
  input?: InputMapping;
  timeout?: Duration;
  retry?: TaskOptions<Names>['retry'];
  onError?: OnError;
  compensate?: boolean;
}

export interface WaitOptions<Names extends string> extends CommonOptions<Names> {
  /** Correlation key template; or, instead, `execution`. */
  signal?: string;
  /** An expression giving the id of another execution to wait for (instead of `signal`). */
  execution?: string;
  /** With `execution`: what happens when it did not complete, or the wait timed out. */
  onError?: OnError;
  timeout?: Duration;
  /** A signal sent up to this long before the wait began still resumes it (default 60 s). */
  lookback?: Duration;
}

/**
 * A typed builder for workflow definitions. Dependencies may only name steps
 * added before (so a typo is a compile error), and `build()` validates the
 * result exactly as registration does.
 *
 * ```ts
 * const def = workflow('order')
 *   .task('reserve', { squad: 'inventory', action: 'reserve', retry: { retries: 3 } })
 *   .task('notify', { squad: 'whatsapp', action: 'send', dependsOn: ['reserve'], delay: '5m' })
 *   .build();
 * ```
 */
export class WorkflowBuilder<Names extends string = never> {
  private readonly def: WorkflowDefinitionInput & { steps: unknown[] };

  constructor(name: string) {
    this.def = { name, steps: [] };
  }

  describe(description: string): this {
    this.def.description = description;
    return this;
  }

  /** JSON Schema that trigger contexts must satisfy. */
  contextSchema(schema: Record<string, unknown>): this {
    this.def.contextSchema = schema;
    return this;
  }

  defaults(defaults: { timeout?: Duration; retry?: TaskOptions<Names>['retry'] }): this {
    this.def.defaults = defaults as WorkflowDefinitionInput['defaults'];
    return this;
  }

  task<N extends string>(name: N, options: TaskOptions<Names>): WorkflowBuilder<Names | N> {
    this.def.steps.push({ name, type: 'task', ...options });
    return this as unknown as WorkflowBuilder<Names | N>;
  }

  wait<N extends string>(name: N, options: WaitOptions<Names>): WorkflowBuilder<Names | N> {
    this.def.steps.push({ name, type: 'wait', ...options });
    return this as unknown as WorkflowBuilder<Names | N>;
  }

  /** A step that runs another workflow as a child execution (docs/child-workflows.md). */
  childWorkflow<N extends string>(name: N, options: ChildWorkflowOptions<Names>): WorkflowBuilder<Names | N> {
    this.def.steps.push({ name, type: 'workflow', ...options });
    return this as unknown as WorkflowBuilder<Names | N>;
  }

  /**
   * Starts `workflow` when an execution completes, with `input` (over
   * `$output`, `$context`, `$steps`) as its context (default: the output).
   * (Named `handoff`, not `then`, so a builder is never mistaken for a promise.)
   */
  handoff(workflow: string, options: { input?: string; when?: string } = {}): this {
    this.def.then = [...(this.def.then ?? []), { workflow, ...options }];
    return this;
  }

  /** A task for a person, completed by a signal carrying the decision. */
  human<N extends string>(name: N, options: HumanOptions<Names>): WorkflowBuilder<Names | N> {
    this.def.steps.push({ name, type: 'human', ...options });
    return this as unknown as WorkflowBuilder<Names | N>;
  }

  /** Seed 002's `continue_on_error`: failing steps without their own `onError` are skipped. */
  continueOnError(value = true): this {
    this.def.continueOnError = value;
    return this;
  }

  /** At most `limit` executions at once; the rest wait as `pending`, highest priority first. */
  concurrency(limit: number): this {
    this.def.concurrency = { limit };
    return this;
  }

  output(expression: string): this {
    this.def.output = expression;
    return this;
  }

  /** The definition as plain JSON, validated; throws `INVALID_DEFINITION`. */
  build(): WorkflowDefinition {
    return validateDefinition(structuredClone(this.def));
  }
}

export function workflow(name: string): WorkflowBuilder {
  return new WorkflowBuilder(name);
}
