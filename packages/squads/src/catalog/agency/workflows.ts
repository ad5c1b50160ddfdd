import { workflow, type WorkflowDefinition } from '@squadflow/shared';
import { z } from 'zod';
import { HANDOFF_CHAIN_FIELD, HandoffChainLinkSchema } from './chain-link.ts';
import { HANDOFF_CHAIN, type Handoff, type HandoffName } from './common.ts';
import { HANDOFFS } from './handoffs.ts';
import { AGENCY_SQUAD } from './squad.ts';

export { HANDOFF_CHAIN, type HandoffName } from './common.ts';
export { handoffNextInput, handoffNextWhen, handoffStopReason } from './next-input.ts';

/**
 * The execution's output, shaped as the seed's `run_workflow.py` prints it:
 * `{ success, workflow_id, handoff_data, next_step }`, plus `next_handoff`:
 * the workflow and execution the handoff started, or why it started none.
 */
const OUTPUT = `{
  "success": $steps.execute_handoff.delivered,
  "workflow_id": $steps.create_handoff_package.workflow_id,
  "handoff_data": $steps.transform_data,
  "next_step": $steps.execute_handoff.next_step,
  "next_handoff": $steps.execute_handoff.next_handoff
}`;

/** The handoff's input as a context schema, plus the chain link a chained execution carries (checked at trigger time). */
function contextSchemaOf(handoff: Handoff): Record<string, unknown> {
  const input = handoff.input as unknown as z.ZodObject;
  const context = input.extend({ [HANDOFF_CHAIN_FIELD]: HandoffChainLinkSchema.optional() });
  // `io: 'input'`: fields with defaults are optional and extra fields are allowed, as the seed's scripts allow them.
  return z.toJSONSchema(context, { io: 'input' }) as Record<string, unknown>;
}

/**
 * One handoff as a workflow, following the seed's pattern: validate the
 * input → transform it for the target domain → create the handoff package →
 * execute the handoff. The context schema is the handoff's input schema, so
 * a bad input is rejected at trigger time (`INVALID_CONTEXT`, naming the
 * field) and no execution starts.
 */
export function handoffWorkflow(handoff: Handoff): WorkflowDefinition {
  const squad = AGENCY_SQUAD;
  return (
    workflow(handoff.name)
      .describe(`${handoff.description} (seed 001: ${handoff.sourceDomain} → ${handoff.targetDomain})`)
      .contextSchema(contextSchemaOf(handoff))
      .defaults({ timeout: '10s', retry: { retries: 2, initialInterval: '200ms', maxInterval: '2s' } })
      // A bad input stays bad: nothing to retry.
      .task('validate_input', { squad, action: `validate_${handoff.name}`, retry: { retries: 0 } })
      .task('transform_data', {
        squad,
        action: `transform_${handoff.name}`,
        dependsOn: ['validate_input'],
        input: '$steps.validate_input.data',
      })
      .task('create_handoff_package', {
        squad,
        action: 'create_handoff_package',
        dependsOn: ['transform_data'],
        input: {
          handoff: JSON.stringify(handoff.name),
          // The execution id makes the package id stable across retries and unique per run.
          workflow_id: `${JSON.stringify(`${handoff.name}_`)} & $execution.id`,
          handoff_data: '$steps.transform_data',
        },
      })
      .task('execute_handoff', {
        squad,
        action: 'execute_handoff',
        dependsOn: ['create_handoff_package'],
        // The chain link is in the context of a chained execution only (absent: the chain begins here).
        input: {
          package: '$steps.create_handoff_package',
          handoff_data: '$steps.transform_data',
          chain: `$context.${HANDOFF_CHAIN_FIELD}`,
        },
      })
      .output(OUTPUT)
      .build()
  );
}

/** The five handoff workflows of seed 001, by name. */
export const handoffWorkflows: Readonly<Record<HandoffName, WorkflowDefinition>> = Object.fromEntries(
  HANDOFF_CHAIN.map((name) => [name, handoffWorkflow(HANDOFFS[name])]),
) as Record<HandoffName, WorkflowDefinition>;

/** The five definitions in chain order, ready for `registerWorkflow`. */
export const agencyWorkflows: readonly WorkflowDefinition[] = HANDOFF_CHAIN.map((name) => handoffWorkflows[name]);
