/** A message to send; `to` is already normalised to E.164 digits (see `normalizePhone`). */
export type OutgoingMessage = {
  to: string;
  /** Why it is sent (`abandoned_cart`, `welcome`, `reminder`...): kept in the outbox for people reading it. */
  purpose?: string;
} & (
  | { type: 'text'; text: string }
  | {
      type: 'template';
      /** An approved template's name and language code (`pt_BR`); `parameters` fill the body's `{{1}}`, `{{2}}`... */
      template: { name: string; language: string; parameters?: string[] };
    }
);

export interface SendOptions {
  /** The step command's idempotency key: the outbox derives the message id from it. */
  idempotencyKey: string;
  /** The handler's signal: aborts the HTTP request at the step deadline. */
  signal?: AbortSignal;
}

/** What a send returned: the provider's message id (`wamid...` for the Cloud API). */
export interface SentMessage {
  messageId: string;
  to: string;
  channel: 'outbox' | 'cloud_api';
}

/**
 * Sends WhatsApp messages. Two implementations: `OutboxWhatsAppClient`
 * records messages in KV (embedded mode, tests, demos) and
 * `CloudApiWhatsAppClient` calls Meta's WhatsApp Cloud API.
 */
export interface WhatsAppClient {
  readonly channel: SentMessage['channel'];
  send(message: OutgoingMessage, options: SendOptions): Promise<SentMessage>;
}
