import { compileExpression, evaluateCondition, type JsonObject } from '@squadflow/shared';
import { HANDOFF_CHAIN, type HandoffName } from './common.ts';
import type { HandoffChainSettings } from './chain-settings.ts';
import { HANDOFF_CHAIN_FIELD, type HandoffChainLink, type NextHandoff } from './chain-link.ts';
import type { HandoffStarter } from './handoff-trigger.ts';
import { handoffNextInput, handoffNextWhen, handoffStopReason } from './next-input.ts';

/** The handoff after `name` in the cycle (feedback_to_offer → offer_to_marketing). */
export function nextHandoffOf(name: HandoffName): HandoffName {
  return HANDOFF_CHAIN[(HANDOFF_CHAIN.indexOf(name) + 1) % HANDOFF_CHAIN.length]!;
}

/** A delivered handoff, as `execute_handoff` knows it. */
export interface DeliveredHandoff {
  handoff: HandoffName;
  /** The package's `workflow_id` (`<handoff>_<execution>`). */
  workflowId: string;
  nextStep: string;
  handoffData: Record<string, unknown>;
  /** Where this execution stands in a chain; none for the first handoff. */
  link: HandoffChainLink | undefined;
  /** The execution and step running `execute_handoff`: with the step, the key of the next trigger. */
  executionId: string;
  step: string;
}

/**
 * The idempotency key of the trigger a handoff sends: its execution and step,
 * not the attempt, so every attempt of one `execute_handoff` (a retry after
 * a lost reply, a timeout, a crash after publishing) starts the same execution.
 */
export const handOnKey = (executionId: string, step: string): string => `handoff.${executionId}.${step}`;

/**
 * Starts the next handoff's workflow when chaining is on, the handoff has
 * something to hand on (`handoffNextWhen`) and the chain is within its hop
 * limit; says which workflow and execution, or why nothing started. The
 * next context is `handoffNextInput`'s result plus the chain link.
 */
export async function handOn(
  delivered: DeliveredHandoff,
  settings: HandoffChainSettings,
  starter: HandoffStarter | undefined,
): Promise<NextHandoff> {
  const workflow = nextHandoffOf(delivered.handoff);
  const notStarted = (reason: Extract<NextHandoff, { status: 'not_started' }>['reason'], detail: string): NextHandoff => ({
    status: 'not_started',
    workflow,
    reason,
    detail,
  });
  if (!settings.enabled || !starter) {
    return notStarted('chaining_disabled', 'handoff chaining is off (SQUADFLOW_CHAIN_HANDOFFS=false, or --no-chain-handoffs)');
  }
  const output = {
    success: true,
    workflow_id: delivered.workflowId,
    handoff_data: delivered.handoffData,
    next_step: delivered.nextStep,
  };
  const scope = { context: {}, steps: {}, execution: { id: delivered.executionId, workflow: delivered.handoff }, output };
  const input = (await evaluateCondition(handoffNextWhen[delivered.handoff], scope))
    ? await compileExpression(handoffNextInput[delivered.handoff]).evaluate(scope)
    : undefined;
  if (!isObject(input)) return notStarted('nothing_to_hand_on', handoffStopReason[delivered.handoff]);
  const hop = (delivered.link?.hop ?? 0) + 1;
  if (hop > settings.maxHops) {
    return notStarted('max_hops', `hop ${hop} would pass this chain's limit of ${settings.maxHops} hops (SQUADFLOW_HANDOFF_MAX_HOPS)`);
  }
  const link: HandoffChainLink = { hop, origin: delivered.link?.origin ?? delivered.executionId, previous: delivered.executionId };
  const executionId = await starter.start(
    workflow,
    { ...input, [HANDOFF_CHAIN_FIELD]: link },
    handOnKey(delivered.executionId, delivered.step),
  );
  return { status: 'started', workflow, execution_id: executionId, hop };
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
