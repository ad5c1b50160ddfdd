import { decodeContext } from '../compile/context-schema.ts';
import type { ExecutionStatus } from '@squadflow/shared';
import type { ExecutionContext, RewindRecord, StepRecord } from '../compile/index.ts';
import { childExecutionId } from '../compile/ids.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { ArchivedExecution } from '../retention/archived-execution.ts';

/** One step as the API shows it: its record (every kind's fields, see compile/steps/) without the attempt counter. */
export interface StepView extends Omit<StepRecord, 'attempt'> {
  name: string;
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
  /** A child execution: the execution and `workflow` step that started it (docs/child-workflows.md). */
  parent?: { executionId: string; step: string };
  /** The child executions this one's `workflow` steps started, one per attempt (the step view's `child` is the latest). */
  children?: Array<{ executionId: string; step: string; attempt: number }>;
  /** Created with `start: false` and not started yet. */
  held?: true;
  /** Operator rewinds (retry from a step), oldest first: when, from which step, which steps ran again, what it was before. */
  rewinds?: RewindRecord[];
  /** The execution left the hot store after its retention and is read from the archive (docs/retention.md). */
  archived?: true;
  archivedAt?: number;
}

export function toView(record: ExecutionRecord): ExecutionView {
  const ctx = decodeContext(record.executionId, record.snapshot);
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
    steps: ctx ? Object.entries(ctx.steps).map(([name, step]) => stepView(name, step)) : [],
    ...(record.parent ? { parent: { executionId: record.parent.executionId, step: record.parent.step } } : {}),
    ...(record.held ? { held: true as const } : {}),
    ...childrenOf(ctx),
    ...(ctx?.rewinds?.length ? { rewinds: ctx.rewinds } : {}),
  };
}

/** Every child a workflow step started: its id derives from (execution, step, attempt), so each attempt names one. */
function childrenOf(ctx: ExecutionContext | undefined): { children?: NonNullable<ExecutionView['children']> } {
  if (!ctx) return {};
  const children: NonNullable<ExecutionView['children']> = [];
  for (const [step, rec] of Object.entries(ctx.steps)) {
    if (rec.child === undefined) continue;
    for (const a of rec.attempts) {
      if (!a.compensation) children.push({ executionId: childExecutionId(ctx.executionId, step, a.attempt), step, attempt: a.attempt });
    }
  }
  return children.length ? { children } : {};
}

/** An execution read from the archive: its last record, marked archived. */
export function archivedView(archived: ArchivedExecution): ExecutionView {
  return { ...toView(archived.record), archived: true, archivedAt: archived.archivedAt };
}

/** The decoded record holds only the schema's fields, so the view is the record minus its attempt counter. */
function stepView(name: string, { attempt: _attempt, ...shown }: StepRecord): StepView {
  return { name, ...shown };
}
