/**
 * The notifier port: one adapter per channel (channels/: signed webhook,
 * WhatsApp, e-mail over SMTP). The notifier decides who is told what and
 * keeps the delivery ledger; an adapter only delivers one message to one
 * address, and says whether a failure is worth retrying.
 */
export type ChannelName = 'email' | 'whatsapp' | 'webhook';

/** What a person is told, in every channel's terms. */
export interface Notification {
  /** What happened: `human_task.assigned`, `human_task.escalated`, `execution.escalated`, `alert.firing`, `alert.resolved`. */
  kind: string;
  /** One line (an e-mail's subject). */
  subject: string;
  /** A few lines for a person. */
  text: string;
  /** The event it comes from, as published (webhook receivers get it whole). */
  event: unknown;
}

/** One notification to one address of one recipient. */
export interface Delivery {
  /** Stable for this event, recipient and channel: the idempotency id receivers may deduplicate by. */
  id: string;
  /** The recipient's name in the configuration (or the address itself). */
  recipient: string;
  /** The channel's address: an e-mail address, a phone number, a URL. */
  address: string;
  notification: Notification;
}

export interface NotifierChannel {
  readonly name: ChannelName;
  deliver(delivery: Delivery): Promise<void>;
  /** Releases connections (SMTP pool). */
  close?(): Promise<void>;
}

/** A failure no retry can fix (a 4xx from a webhook, an address the server refuses): given up at once. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}
