import { ExecutionIdSchema, SquadflowError, toFieldIssues, triggerCodec, type Names } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';
import type { EngineStores } from '../store/open-stores.ts';
import { publishChecked } from './trigger-publisher.ts';

/**
 * `EngineClient.start`: an execution created with `start: false` (a `held`
 * pending record) is started by its own trigger again, without `start:
 * false`. The orchestrator starts a pending execution once (its id is the
 * trigger's), so starting twice, or a start racing a redelivered trigger,
 * starts it once.
 */
export async function startHeldExecution(
  deps: { transport: Transport; names: Names; stores: EngineStores },
  executionId: string,
): Promise<void> {
  const id = ExecutionIdSchema.safeParse(executionId);
  if (!id.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid execution id', toFieldIssues(id.error.issues, 'executionId'));
  const stored = await deps.stores.executions.read(executionId);
  if (!stored) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
  const r = stored.record;
  if (r.status === 'cancelled' && r.snapshot === undefined)
    throw new SquadflowError('EXECUTION_ENDED', `execution ${executionId} was cancelled before it started`);
  // Started already (or queued by a concurrency limit, which starts it when its turn comes): nothing to do.
  if (r.status !== 'pending' || !r.held) return;
  const message = triggerCodec.encode({
    kind: 'trigger',
    workflow: r.workflow,
    executionId,
    context: r.context,
    requestedAt: deps.transport.clock.now(),
    ...(r.version ? { version: r.version } : {}),
    ...(r.idempotencyKey ? { idempotencyKey: r.idempotencyKey } : {}),
    ...(r.priority === undefined ? {} : { priority: r.priority }),
    ...(r.parent?.attempt === undefined ? {} : { parent: { ...r.parent, attempt: r.parent.attempt } }),
  });
  await publishChecked(deps.transport, deps.names.trigger(r.workflow), message, `trigger.${executionId}.start`, 'context');
}
