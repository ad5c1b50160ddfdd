import { workflow, type Duration, type WorkflowDefinition } from '@squadflow/shared';

export interface LeadConversationOptions {
  /** How long a lead may stay quiet before the reminder (seed 004: PT2H). */
  replyTimeout?: Duration;
}

/** The correlation key of a lead's conversation: `ai_conversation_<phone digits>` (what the WhatsApp webhook signals). */
export const CONVERSATION_KEY = 'ai_conversation_{$replace(phone_number, /[^0-9]/, "")}';

const CONTEXT = {
  type: 'object',
  required: ['phone_number'],
  properties: {
    phone_number: { type: 'string', minLength: 8 },
    name: { type: 'string' },
    message: {
      type: 'object',
      properties: { id: { type: 'string' }, type: { type: 'string' }, text: { type: 'string' }, media_id: { type: 'string' } },
    },
  },
};

/**
 * Seed 004, workflow 1 (`lead_activation`): a lead filled in the form; qualify
 * it and send the WhatsApp activation template. The lead's answer arrives by
 * webhook and starts `lead_conversation`.
 */
export function leadActivation(): WorkflowDefinition {
  return workflow('lead_activation')
    .describe('Seed 004: save and qualify a new lead, then send the WhatsApp activation template.')
    .contextSchema({
      type: 'object',
      required: ['lead_data'],
      properties: {
        lead_data: {
          type: 'object',
          required: ['phone'],
          properties: { phone: { type: 'string', minLength: 8 }, name: { type: 'string' } },
        },
      },
    })
    .defaults({ timeout: '30s', retry: { retries: 3, initialInterval: '5s' } })
    .task('qualify_lead', { squad: 'lead_scraper', action: 'qualify_new_lead', input: 'lead_data' })
    .task('send_activation_template', {
      squad: 'whatsapp',
      action: 'send_template',
      dependsOn: ['qualify_lead'],
      input: '{ "phone_number": lead_data.phone }',
    })
    .build();
}

/**
 * Seed 004, workflow 2 (`lead_conversation`, Kestra's converse_production_lead):
 * every inbound message gets an instant answer; then the conversation waits
 * on `ai_conversation_<phone>` for the lead's next message. A reply within the
 * timeout (2 h) continues the conversation: this execution completes and
 * hands the message to a new one (so each message has its own history).
 * Silence for 2 h takes the timeout branch and sends the reminder.
 */
export function leadConversation(options: LeadConversationOptions = {}): WorkflowDefinition {
  return workflow('lead_conversation')
    .describe('Seed 004: answer each inbound WhatsApp message at once; remind the lead after 2 h of silence.')
    .contextSchema(CONTEXT)
    .defaults({ timeout: '30s', retry: { retries: 3, initialInterval: '2s' } })
    .task('answer_message', { squad: 'whatsapp', action: 'answer_message' })
    .wait('await_reply', { signal: CONVERSATION_KEY, timeout: options.replyTimeout ?? '2h', dependsOn: ['answer_message'] })
    .task('send_reminder_message', {
      squad: 'whatsapp',
      action: 'send_reminder_message',
      dependsOn: [{ step: 'await_reply', on: 'timeout' }],
    })
    .handoff('lead_conversation', {
      when: '$type($steps.await_reply) = "object"',
      input: `{
        "phone_number": phone_number,
        "name": name,
        "message": {
          "id": $steps.await_reply.message_id,
          "type": $steps.await_reply.type,
          "text": $steps.await_reply.text,
          "media_id": $steps.await_reply.media_id
        }
      }`,
    })
    .build();
}
