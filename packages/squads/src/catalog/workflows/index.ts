import type { WorkflowDefinition } from '@squadflow/shared';
import { agencyWorkflows } from '../agency/index.ts';
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
}

/** Every workflow of the seeds, ready for `registerWorkflow` (delays overridable, e.g. short ones in tests). */
export function seedWorkflows(options: SeedWorkflowOptions = {}): WorkflowDefinition[] {
  return [
    abandonedCartRecovery(options.abandonedCart),
    stockEmergency(options.stockEmergency),
    newLeadNurture(options.newLeadNurture),
    leadActivation(),
    leadConversation(options.leadConversation),
    // Seed 001's chain is the agency squad's business (`execute_handoff` starts the next handoff), never a `then` here: one mechanism, one start.
    ...agencyWorkflows,
  ];
}
