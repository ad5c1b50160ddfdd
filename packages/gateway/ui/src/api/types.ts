/** The shapes the UI reads from the gateway's API (packages/gateway/src/schemas.ts and docs/ui.md). */

export type ExecutionStatus =
  'pending' | 'running' | 'paused' | 'waiting' | 'completed' | 'failed' | 'compensated' | 'escalated' | 'cancelled';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'pending',
  'running',
  'paused',
  'waiting',
  'completed',
  'failed',
  'compensated',
  'escalated',
  'cancelled',
];

export interface StepError {
  message: string;
  code?: string;
  retryable?: boolean;
}

export interface Attempt {
  attempt: number;
  startedAt: number;
  endedAt?: number;
  status: 'running' | 'completed' | 'failed' | 'timed_out' | 'abandoned';
  error?: StepError;
  compensation?: boolean;
}

export interface StepView {
  name: string;
  status: string;
  attempts: Attempt[];
  startedAt?: number;
  endedAt?: number;
  input?: unknown;
  output?: unknown;
  error?: StepError;
  reason?: string;
  outcome?: 'signal' | 'timeout';
  /** Who was asked to resolve the step's escalation (its `escalationTarget`). */
  escalationTarget?: string;
  /** What is armed now (GET /v1/executions/{id} only). */
  nextRetryAt?: number;
  delayUntil?: number;
  attemptDeadline?: number;
  deadline?: number;
  nextEscalationAt?: number;
}

export interface ExecutionView {
  executionId: string;
  workflow: string;
  version?: number;
  status: ExecutionStatus;
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
  idempotencyKey?: string;
  context: Record<string, unknown>;
  output?: unknown;
  error?: { code: string; message: string; issues?: FieldIssue[] };
  cancelReason?: string;
  steps: StepView[];
  archived?: true;
  /** The signal keys the execution waits on now, resolved (GET /v1/executions/{id} only). */
  waits?: Array<{ key: string; step: string; purpose: 'wait' | 'escalation'; deadline?: number }>;
  /** Present while escalated; `target`: who is asked to resolve it. */
  escalation?: { step: string; key: string; actions: Array<'retry' | 'skip' | 'abort'>; target?: string };
  /** Retries from a step (operator rewinds), oldest first. */
  rewinds?: Array<{ id: string; at: number; fromStep: string; steps: string[]; previousStatus: 'failed' | 'escalated' }>;
}

export interface ExecutionPage {
  executions: ExecutionView[];
  nextCursor?: string;
}

export interface FieldIssue {
  path: string;
  message: string;
}

export interface GraphNode {
  id: string;
  type: string;
  label: string;
  description?: string;
  squad?: string;
  action?: string;
  delayMs?: number;
  timeoutMs?: number;
  retry?: unknown;
  onError?: string;
  condition?: string;
  wait?: { signal: string; timeoutMs?: number };
  human?: { assignee: string; title?: string; escalations: Array<{ afterMs: number; to: string }> };
  compensation?: { squad: string; action: string };
}

export type EdgeKind = 'dependency' | 'compensation' | 'escalation' | 'timeout';

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
  /** For a dependency: the outcome of `from` it requires. */
  on?: string;
}

export interface WorkflowGraph {
  workflow: string;
  version: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface WorkflowSummary {
  name: string;
  version: number;
  description?: string;
  steps: number;
}

export interface HumanTask {
  executionId: string;
  workflow: string;
  step: string;
  title?: string;
  assignee: string;
  escalationLevel: number;
  startedAt: number;
  dueAt?: number;
  nextEscalationAt?: number;
  signalKey: string;
}

export interface SquadStats {
  requests: number;
  errors: number;
  inFlight?: number;
  averageProcessingMs?: number;
}

export interface SquadView {
  name: string;
  description?: string;
  instances: Array<{ id: string; version?: string; startedAt?: number }>;
  actions: Array<{ name: string; description?: string; compensate?: string; timeoutMs?: number; stats?: SquadStats }>;
  stats: SquadStats;
}

export interface ScheduleView {
  id: string;
  workflow: string;
  version?: number;
  cron?: string;
  timezone: string;
  every?: string | number;
  at?: number;
  overlap: string;
  state: 'active' | 'paused' | 'done';
  nextAt?: number;
  lastExecutionId?: string;
  lastOutcome?: { slot: number; at: number; result: string; executionId?: string; error?: { code: string; message: string } };
}

export interface DurationStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface Insights {
  workflow: string;
  sampled: number;
  ended: number;
  window: { from: number; to: number } | null;
  durations: DurationStats | null;
  byStatus: Record<string, number>;
  successRate: number | null;
  errors: Array<{ code: string; count: number }>;
  throughput: Array<{ from: number; to: number; started: number; ended: number }>;
  steps: Array<
    DurationStats & {
      step: string;
      action?: string;
      retried: number;
      retrySuccessRate: number | null;
      criticalShare: number;
      meanShareOfDuration: number;
    }
  >;
  criticalPath: string[];
  advice: Array<{ kind: 'parallelizable' | 'slow-step' | 'failing-retries'; step: string; message: string }>;
}

/** One lifecycle event from `GET /v1/events`. */
export interface LifecycleEvent {
  type: string;
  executionId?: string;
  workflow?: string;
  step?: string;
  at?: number;
  [key: string]: unknown;
}
