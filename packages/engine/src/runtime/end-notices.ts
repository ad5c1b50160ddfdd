import type { CompiledWorkflow, Effect, ExecutionContext } from '../compile/index.ts';
import type { Snapshot } from './execution-cache.ts';

const ENDINGS: Record<string, string> = {
  'execution.completed': 'completed',
  'execution.failed': 'failed',
  'execution.compensated': 'compensated',
  'execution.cancelled': 'cancelled',
};

/**
 * The notices to the execution's watchers (docs/child-workflows.md) when a
 * transition ends it: one `notify` effect per watcher, in the same outbox as
 * the end itself, so they are persisted with it and replayed after a crash.
 * Computed by the loop, not the machine, because the output is an expression.
 */
export async function endNotices(workflow: CompiledWorkflow, snapshot: Snapshot, outbox: readonly Effect[]): Promise<Effect[]> {
  const ctx = snapshot.context;
  if (!ctx.watchers?.length) return [];
  const end = outbox.find((e) => e.kind === 'lifecycle' && ENDINGS[e.type] !== undefined);
  if (!end || end.kind !== 'lifecycle') return [];
  const status = ENDINGS[end.type]!;
  const result = await endResult(workflow, ctx, status);
  return ctx.watchers.map((watcher): Effect => ({ kind: 'notify', watcher, status, ...result }));
}

async function endResult(
  workflow: CompiledWorkflow,
  ctx: ExecutionContext,
  status: string,
): Promise<{ output?: unknown; error?: { code: string; message: string } }> {
  if (status === 'completed') {
    try {
      return { output: await workflow.output(ctx) };
    } catch (err) {
      return { error: { code: 'OUTPUT_EXPRESSION', message: (err as Error).message } };
    }
  }
  const failure = ctx.failure;
  if (status === 'cancelled') return { error: { code: 'CANCELLED', message: ctx.cancelReason ?? 'cancelled' } };
  if (!failure) return {};
  return {
    error: { code: failure.error?.code ?? 'STEP_FAILED', message: `step "${failure.step}": ${failure.error?.message ?? 'failed'}` },
  };
}
