import type { WorkflowDefinition } from '@squadflow/shared';
import { agencyWorkflows, HANDOFF_CHAIN, handoffNextInput, handoffNextWhen, handoffWorkflows } from '../agency/index.ts';
import { abandonedCartRecovery, type AbandonedCartOptions } from './abandoned-cart-recovery.ts';
import { leadActivation, leadConversation, type LeadConversationOptions } from './lead-conversation.ts';
import { newLeadNurture, type NewLeadNurtureOptions } from './new-lead-nurture.ts';
import { stockEmergency, type StockEmergencyOptions } from './stock-emergency.ts';

export { abandonedCartRecovery, stockEmergency, newLeadNurture, leadActivation, leadConversation };
export { CONVERSATION_KEY } from './lead-conversation.ts';
export type { AbandonedCartOptions, StockEmergencyOptions, NewLeadNurtureOptions, LeadConversationOptions };

export interface SeedWorkflowOptions {
  abandonedCart?: AbandonedCartOptions;
  stockEmergency?: StockEmergencyOptions;
  newLeadNurture?: NewLeadNurtureOptions;
  leadConversation?: LeadConversationOptions;
  /** Each completed handoff starts the next one (seed 001's chain). Default false. */
  chainHandoffs?: boolean;
}

/** Every workflow of the seeds, ready for `registerWorkflow` (delays overridable, e.g. short ones in tests). */
export function seedWorkflows(options: SeedWorkflowOptions = {}): WorkflowDefinition[] {
  return [
    abandonedCartRecovery(options.abandonedCart),
    stockEmergency(options.stockEmergency),
    newLeadNurture(options.newLeadNurture),
    leadActivation(),
    leadConversation(options.leadConversation),
    ...(options.chainHandoffs ? chainedHandoffs() : agencyWorkflows),
  ];
}

/** The five handoffs, each starting the next when its output carries something to hand over. */
function chainedHandoffs(): WorkflowDefinition[] {
  return HANDOFF_CHAIN.map((name, i) => {
    const next = HANDOFF_CHAIN[(i + 1) % HANDOFF_CHAIN.length]!;
    const input = handoffNextInput[name];
    const when = handoffNextWhen[name];
    return { ...handoffWorkflows[name], then: [{ workflow: next, ...(input ? { input } : {}), ...(when ? { when } : {}) }] };
  });
}
