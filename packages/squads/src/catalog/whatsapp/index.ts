export { createWhatsAppSquad, type WhatsAppSquadDeps } from './squad.ts';
export type { OutgoingMessage, SendOptions, SentMessage, WhatsAppClient } from './client.ts';
export {
  listWhatsAppOutbox,
  openOutboxClient,
  outboxBucket,
  OutboxMessageSchema,
  OutboxWhatsAppClient,
  type OutboxFilter,
  type OutboxMessage,
} from './outbox.ts';
export { CloudApiWhatsAppClient, toGraphBody, WhatsAppTransientError } from './cloud-api-client.ts';
export {
  DEFAULT_GRAPH_API_BASE_URL,
  readWhatsAppEnv,
  readWhatsAppSquadEnv,
  wantsCloudApi,
  WhatsAppEnvSchema,
  type CloudApiConfig,
  type WhatsAppSquadSettings,
} from './env.ts';
export { answerFor, type Answer, type Intent } from './answer-rules.ts';
export * from './answerer/index.ts';
export { leadsBucket, LeadStore, openLeadStore, type LeadStatusChange } from './lead-store.ts';
