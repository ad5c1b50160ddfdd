import { randomUUID } from 'node:crypto';
import { controlCodec, ExecutionIdSchema, NameSchema, SquadflowError, toFieldIssues, type Names } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';
import { decodeContext } from '../compile/context-schema.ts';
import type { CompiledWorkflow } from '../compile/index.ts';
import { rewindRefusal, rewindSubject, stepsToRewind } from '../compile/rewind.ts';
import type { ExecutionStore } from '../store/execution-store.ts';
import { publishChecked } from './trigger-publisher.ts';

export interface RetryFromStepDeps {
  transport: Transport;
  names: Names;
  executions: ExecutionStore;
  getCompiledWorkflow(name: string, version?: number): Promise<CompiledWorkflow>;
}

/** A retry from a step the orchestrator accepted to apply. */
export interface RetryFromStepAccepted {
  executionId: string;
  fromStep: string;
  /** The control's id (the execution's rewind record carries it). */
  controlId: string;
  /** The steps that run again, as the execution stood when asked (definition order). */
  steps: string[];
}

/**
 * Asks the orchestrator to run a failed or escalated execution again from
 * `fromStep`, a completed step (compile/rewind.ts). Checked here against the
 * stored execution so that a bad request changes nothing and says why:
 * `INVALID_ARGUMENT` naming `executionId` or `fromStep` (an unknown step, or
 * one that did not complete), `EXECUTION_NOT_FOUND`, `CONFLICT` when the
 * execution is not failed or escalated (or its saga ran, or it was
 * quarantined). The orchestrator checks again when it applies it.
 */
export async function retryFromStep(deps: RetryFromStepDeps, executionId: string, fromStep: string): Promise<RetryFromStepAccepted> {
  const id = ExecutionIdSchema.safeParse(executionId);
  if (!id.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid execution id', toFieldIssues(id.error.issues, 'executionId'));
  const step = NameSchema.safeParse(fromStep);
  if (!step.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid step name', toFieldIssues(step.error.issues, 'fromStep'));
  const stored = await deps.executions.read(executionId);
  if (!stored) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
  const { record } = stored;
  const ctx = decodeContext(executionId, record.snapshot);
  if (!ctx || record.version === undefined) {
    throw new SquadflowError('CONFLICT', `execution ${executionId} cannot be retried from a step: it never started (${record.status})`);
  }
  const { plan } = await deps.getCompiledWorkflow(record.workflow, record.version);
  const refusal = rewindRefusal(rewindSubject(record, ctx), plan, fromStep);
  if (refusal?.about === 'fromStep') {
    throw new SquadflowError('INVALID_ARGUMENT', `cannot retry execution ${executionId} from "${fromStep}"`, [
      { path: 'fromStep', message: refusal.message },
    ]);
  }
  if (refusal) throw new SquadflowError('CONFLICT', `execution ${executionId} cannot be retried from a step: ${refusal.message}`);
  const controlId = randomUUID();
  const message = controlCodec.encode({ kind: 'control', controlId, executionId, action: 'rewind', fromStep });
  await publishChecked(deps.transport, deps.names.control(executionId), message, `control.${controlId}`, 'fromStep');
  return { executionId, fromStep, controlId, steps: stepsToRewind(ctx.steps, plan, fromStep) };
}
