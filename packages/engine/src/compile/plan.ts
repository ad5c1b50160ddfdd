import {
  compileJsonSchema,
  dependencyName,
  durationMs,
  type FieldIssue,
  type OnError,
  type RetryPolicy,
  type WorkflowDefinition,
} from '@squadflow/shared';

/**
 * A definition with everything the machine needs precomputed at registration:
 * durations in ms, effective retry policies, dependency lists. The per-event
 * path never parses a duration or walks the definition.
 */
export interface StepPlan {
  name: string;
  type: 'task' | 'wait' | 'human';
  deps: Array<{ step: string; on?: 'completed' | 'skipped' | 'signal' | 'timeout' }>;
  dependants: string[];
  hasCondition: boolean;
  /**
   * Whether starting the step evaluates expressions (a condition, an input
   * mapping, a signal key). A task with none of them starts without the
   * `evaluating` round, saving a transition per step on the hot path.
   */
  needsEvaluation: boolean;
  delayMs: number;
  timeoutMs: number | undefined;
  retry: RetryPolicy;
  onError: OnError;
  squad: string;
  action: string;
  compensate?: { squad: string; action: string };
  /** Checks a reply's output against the step's `outputSchema`. */
  checkOutput?: (output: unknown) => FieldIssue[];
  /** Human steps: who is asked, and who next, after how long (ms since the task started). */
  assignee?: string;
  escalations: Array<{ afterMs: number; to: string }>;
  circuitBreaker?: { failureThreshold: number; resetAfterMs: number; whileOpen: 'fail' | 'wait' };
  /** Wait and human steps: how far back a buffered signal still counts. */
  lookbackMs: number;
}

export interface WorkflowPlan {
  name: string;
  version: number;
  steps: Map<string, StepPlan>;
  order: string[];
  /** At most this many executions at once (the rest queue). */
  concurrencyLimit?: number;
}

/** Signals up to a minute early still resume a wait: the sender rarely knows when the wait begins. */
const DEFAULT_LOOKBACK_MS = 60_000;

const NO_RETRY: RetryPolicy = { retries: 0, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '5m', jitter: 0.2 };

export function planWorkflow(def: WorkflowDefinition, version: number): WorkflowPlan {
  const steps = new Map<string, StepPlan>();
  for (const step of def.steps) {
    const deps = step.dependsOn.map((d) => (typeof d === 'string' ? { step: d } : { step: d.step, on: d.on }));
    const timeout = step.timeout ?? (step.type === 'task' ? def.defaults.timeout : undefined);
    steps.set(step.name, {
      name: step.name,
      type: step.type,
      deps,
      dependants: [],
      hasCondition: step.condition !== undefined,
      needsEvaluation: step.type !== 'task' || step.condition !== undefined || step.input !== undefined,
      delayMs: step.delay === undefined ? 0 : durationMs(step.delay),
      timeoutMs: timeout === undefined ? undefined : durationMs(timeout),
      retry: (step.type === 'task' ? step.retry : undefined) ?? def.defaults.retry ?? NO_RETRY,
      onError: (step.type === 'task' ? step.onError : undefined) ?? (def.continueOnError ? 'skip' : 'fail'),
      squad: step.type === 'task' ? step.squad : '',
      action: step.type === 'task' ? step.action : '',
      ...(step.type === 'task' && step.outputSchema ? { checkOutput: compileJsonSchema(step.outputSchema, 'output') } : {}),
      ...(step.type === 'human' ? { assignee: step.assignee } : {}),
      ...(step.type === 'task' && step.circuitBreaker
        ? {
            circuitBreaker: {
              failureThreshold: step.circuitBreaker.failureThreshold,
              resetAfterMs: durationMs(step.circuitBreaker.resetAfter),
              whileOpen: step.circuitBreaker.whileOpen,
            },
          }
        : {}),
      lookbackMs: step.type !== 'task' && step.lookback !== undefined ? durationMs(step.lookback) : DEFAULT_LOOKBACK_MS,
      escalations:
        step.type === 'human'
          ? step.escalations.map((e) => ({ afterMs: durationMs(e.after), to: e.to })).sort((a, b) => a.afterMs - b.afterMs)
          : [],
      ...(step.type === 'task' && step.compensate
        ? { compensate: { squad: step.compensate.squad ?? step.squad, action: step.compensate.action } }
        : {}),
    });
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
