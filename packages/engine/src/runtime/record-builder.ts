import type { TriggerMessage } from '@squadflow/shared';
import { deriveStatus, type CompiledWorkflow } from '../compile/index.ts';
import type { Snapshot } from './execution-cache.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';

type Origin = Pick<ExecutionRecord, 'createdAt' | 'context'> & Partial<Pick<ExecutionRecord, 'idempotencyKey' | 'output' | 'trace'>>;

/** The KV record for a snapshot: summary fields for queries plus the persisted snapshot. */
export async function recordFor(workflow: CompiledWorkflow, snapshot: Snapshot, origin: Origin): Promise<ExecutionRecord> {
  const ctx = snapshot.context;
  const status = deriveStatus(snapshot.value, ctx);
  const record: ExecutionRecord = {
    v: 1,
    executionId: ctx.executionId,
    workflow: ctx.workflow,
    version: ctx.version,
    status,
    createdAt: origin.createdAt,
    updatedAt: ctx.now,
    context: origin.context,
    ...(origin.idempotencyKey ? { idempotencyKey: origin.idempotencyKey } : {}),
    ...(origin.trace ? { trace: origin.trace } : {}),
    ...(ctx.parent ? { parent: ctx.parent } : {}),
    snapshot: workflow.runner.persist(snapshot),
  };
  if (status === 'completed') {
    try {
      record.output = origin.output ?? (await workflow.output(ctx));
    } catch (err) {
      record.error = { code: 'OUTPUT_EXPRESSION', message: (err as Error).message };
    }
  }
  const failure = ctx.failure;
  if (failure && (status === 'failed' || status === 'compensated')) {
    const cause = failure.error?.message ?? (failure.onError === 'abort' ? 'aborted by operator' : 'failed');
    record.error = { code: failure.error?.code ?? 'STEP_FAILED', message: `step "${failure.step}": ${cause}` };
  }
  return record;
}

/** A trigger that cannot start (unknown workflow, invalid context) is recorded as failed, so its sender can see why. */
export function failedRecord(
  executionId: string,
  t: TriggerMessage,
  at: number,
  error: NonNullable<ExecutionRecord['error']>,
): ExecutionRecord {
  return {
    v: 1,
    executionId,
    workflow: t.workflow,
    ...(t.version ? { version: t.version } : {}),
    status: 'failed',
    createdAt: at,
    updatedAt: at,
    context: t.context,
    ...(t.idempotencyKey ? { idempotencyKey: t.idempotencyKey } : {}),
    ...(t.parent ? { parent: t.parent } : {}),
    error,
  };
}
