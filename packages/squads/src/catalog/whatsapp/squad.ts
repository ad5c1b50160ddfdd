import { defineSquad, type SquadDefinition } from '../../define-squad.ts';
import { conversationActions, type ConversationDeps } from './conversation-actions.ts';
import { leadActions, type LeadDeps } from './lead-actions.ts';
import { notifyActions, type NotifyDeps } from './notify-actions.ts';

export type WhatsAppSquadDeps = NotifyDeps & ConversationDeps & LeadDeps;

/**
 * The WhatsApp squad. Messages cannot be unsent, so no action declares a
 * compensation; every send goes through `deps.client` (outbox or Cloud API)
 * with the command's idempotency key.
 */
export function createWhatsAppSquad(deps: WhatsAppSquadDeps): SquadDefinition {
  return defineSquad({
    name: 'whatsapp',
    description: 'Messages to customers, leads and suppliers over WhatsApp',
    actions: { ...notifyActions(deps), ...conversationActions(deps), ...leadActions(deps) },
  });
}
