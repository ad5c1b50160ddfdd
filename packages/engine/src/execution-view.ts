import type { ExecutionStatus, StepError } from '@squadflow/shared';
import type { AttemptRecord, ExecutionContext, StepRecord } from './compile/index.ts';
import type { ExecutionRecord } from './store/execution-record.ts';

/** One step as the API shows it. */
export interface StepView {
  name: string;
  status: StepRecord['status'];
  attempts: AttemptRecord[];
  startedAt?: number;
  endedAt?: number;
  input?: unknown;
  output?: unknown;
  error?: StepError;
  reason?: string;
  outcome?: 'signal' | 'timeout';
  /** The last progress a heartbeat reported. */
  progress?: unknown;
  /** Human tasks: who is asked now, and how many escalations happened. */
  assignee?: string;
  escalationLevel?: number;
  /** Wait and human steps: the correlation key that resumes them. */
  key?: string;
}

/** An execution as the API shows it: status plus per-step history. */
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
  error?: ExecutionRecord['error'];
  cancelReason?: string;
  steps: StepView[];
}

export function toView(record: ExecutionRecord): ExecutionView {
  const ctx = (record.snapshot as { context?: ExecutionContext } | undefined)?.context;
  const steps: StepView[] = ctx
    ? Object.entries(ctx.steps).map(([name, r]) => ({
        name,
        status: r.status,
        attempts: r.attempts,
        ...(r.startedAt === undefined ? {} : { startedAt: r.startedAt }),
        ...(r.endedAt === undefined ? {} : { endedAt: r.endedAt }),
        ...(r.input === undefined ? {} : { input: r.input }),
        ...(r.output === undefined ? {} : { output: r.output }),
        ...(r.error ? { error: r.error } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.outcome ? { outcome: r.outcome } : {}),
        ...(r.progress === undefined ? {} : { progress: r.progress }),
        ...(r.assignee === undefined ? {} : { assignee: r.assignee }),
        ...(r.escalationLevel === undefined ? {} : { escalationLevel: r.escalationLevel }),
        ...(r.key === undefined ? {} : { key: r.key }),
      }))
    : [];
  return {
    executionId: record.executionId,
    workflow: record.workflow,
    ...(record.version ? { version: record.version } : {}),
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(ctx?.endedAt === undefined ? {} : { endedAt: ctx.endedAt }),
    ...(record.idempotencyKey ? { idempotencyKey: record.idempotencyKey } : {}),
    context: record.context,
    ...(record.output === undefined ? {} : { output: record.output }),
    ...(record.error ? { error: record.error } : {}),
    ...(ctx?.cancelReason ? { cancelReason: ctx.cancelReason } : {}),
    steps,
  };
}
