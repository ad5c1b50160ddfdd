/** The notifier service: human tasks, escalations and alerts to people (docs/alerts.md). */
export { startNotifier, type NotifierOptions, type RunningNotifier } from './notifier.ts';
export { channelsFromEnv, NotifierEnvSchema } from './notifier-env.ts';
export { runNotifierProcess, type NotifierProcessOptions } from './notifier-process.ts';
export { DeliveryLedger, type DeliveryOutcome, type DeliveryRecord } from './ledger.ts';
export { PermanentDeliveryError, type ChannelName, type Delivery, type Notification, type NotifierChannel } from './port.ts';
export { EmailChannel } from './channels/email.ts';
export { WhatsAppChannel } from './channels/whatsapp.ts';
export {
  WebhookChannel,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookBody,
} from './channels/webhook.ts';
