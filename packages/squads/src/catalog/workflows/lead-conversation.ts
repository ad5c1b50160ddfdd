import { workflow, type Duration, type WorkflowDefinition } from '@squadflow/shared';

export interface LeadConversationOptions {
  /** How long a lead may stay quiet before the reminder (seed 004: PT2H). */
  replyTimeout?: Duration;
  /**
   * How long before `await_reply` is armed a message may have arrived and
   * still be its reply (default 15m): the gateway signals messages that come
   * while the answer step runs, and the engine buffers them until the wait
   * is armed. It must cover the answer step with its retries.
   */
  replyLookback?: Duration;
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
      properties: {
        id: { type: 'string' },
        type: { type: 'string' },
        text: { type: 'string' },
        media_id: { type: 'string' },
        payload: { type: 'string' },
      },
    },
  },
};

/** A `record_lead_status` step's input: the lead's phone (a context path) and a status (an expression). */
const leadStatus = (phone: string, status: string, extra: Record<string, string> = {}) => ({
  phone_number: phone,
  status,
  ...extra,
});

/** Bookkeeping must never hold up the lead: a lead status that cannot be recorded is skipped. */
const RECORD = { squad: 'whatsapp', action: 'record_lead_status', onError: 'skip' } as const;

/**
 * Seed 004, workflow 1 (`lead_activation`): a lead filled in the form; save
 * it (`new`), qualify it (`qualified` / `not_qualified`) and send the WhatsApp
 * activation template (`template_sent`). The lead's tap on the template's
 * "Ativar Perfil" button arrives by webhook and starts `lead_conversation`.
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
    .task('save_lead', { ...RECORD, input: leadStatus('lead_data.phone', '"new"', { name: 'lead_data.name' }) })
    .task('qualify_lead', { squad: 'lead_scraper', action: 'qualify_new_lead', input: 'lead_data' })
    .task('record_qualification', {
      ...RECORD,
      dependsOn: ['save_lead', 'qualify_lead'],
      input: leadStatus('lead_data.phone', '$steps.qualify_lead.qualified ? "qualified" : "not_qualified"', {
        segment: '$steps.qualify_lead.segment',
      }),
    })
    .task('send_activation_template', {
      squad: 'whatsapp',
      action: 'send_template',
      dependsOn: ['qualify_lead'],
      input: '{ "phone_number": lead_data.phone }',
    })
    .task('record_template_sent', {
      ...RECORD,
      dependsOn: ['send_activation_template', 'record_qualification'],
      input: leadStatus('lead_data.phone', '"template_sent"', { note: '$steps.send_activation_template.template' }),
    })
    .build();
}

/**
 * Seed 004, workflow 2 (`lead_conversation`, Kestra's converse_production_lead):
 * every inbound message gets an instant answer; then the conversation waits
 * on `ai_conversation_<phone>` for the lead's next message. The first message
 * is usually the tap on the activation template's button (`message.type`
 * `button`, its text and payload): the lead becomes `activated`; any other
 * message marks it `conversing`, an opt-out `opted_out`, a request for a
 * person `handoff`, the reminder `reminded`. A reply within the
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
    .task('record_lead_message', {
      ...RECORD,
      input: leadStatus('phone_number', 'message.type in ["button", "interactive"] ? "activated" : "conversing"', {
        name: 'name',
        note: '$join([message.type, message.payload], ": ")',
      }),
    })
    .task('record_lead_answer', {
      ...RECORD,
      dependsOn: ['answer_message', 'record_lead_message'],
      condition: '$steps.answer_message.intent = "opt_out" or $steps.answer_message.handoff',
      input: leadStatus('phone_number', '$steps.answer_message.intent = "opt_out" ? "opted_out" : "handoff"', {
        note: '$steps.answer_message.intent',
      }),
    })
    .wait('await_reply', {
      signal: CONVERSATION_KEY,
      timeout: options.replyTimeout ?? '2h',
      lookback: options.replyLookback ?? '15m',
      dependsOn: ['answer_message'],
    })
    .task('send_reminder_message', {
      squad: 'whatsapp',
      action: 'send_reminder_message',
      dependsOn: [{ step: 'await_reply', on: 'timeout' }],
    })
    .task('record_reminder', {
      ...RECORD,
      dependsOn: ['send_reminder_message'],
      // A skipped dependency (a reply came: no reminder) does not stop a step by itself.
      condition: '$exists($steps.send_reminder_message.message_id)',
      input: leadStatus('phone_number', '"reminded"'),
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
          "media_id": $steps.await_reply.media_id,
          "payload": $steps.await_reply.payload
        }
      }`,
    })
    .build();
}
