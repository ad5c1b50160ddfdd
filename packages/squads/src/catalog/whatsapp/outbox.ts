import type { Clock, KvStore, Transport } from '@squadflow/transport';
import { names } from '@squadflow/shared';
import { z } from 'zod';
import { stableId } from '../common/ids.ts';
import { CatalogRecords } from '../common/kv-records.ts';
import { normalizePhone } from '../common/phone.ts';
import type { OutgoingMessage, SendOptions, SentMessage, WhatsAppClient } from './client.ts';

/** One recorded message, as stored in `<prefix>_whatsapp_outbox` and returned by {@link listWhatsAppOutbox}. */
export const OutboxMessageSchema = z.object({
  id: z.string(),
  to: z.string(),
  type: z.enum(['text', 'template']),
  text: z.string().optional(),
  template: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()).optional() }).optional(),
  purpose: z.string().optional(),
  idempotency_key: z.string(),
  created_at: z.number(),
});
export type OutboxMessage = z.output<typeof OutboxMessageSchema>;

export interface OutboxFilter {
  /** Only messages to this phone (any format; it is normalised). */
  phone?: string;
  /** Newest first, at most this many (default 100). */
  limit?: number;
}

/** Bucket of the outbox: `<prefix>_whatsapp_outbox`. */
export function outboxBucket(prefix: string): string {
  return names(prefix).squadBucket('whatsapp_outbox');
}

/**
 * A {@link WhatsAppClient} that records every message in KV instead of
 * sending it: the default when no Cloud API credentials are configured.
 * Keys are `<phone>.<message id>` so listing one phone's messages is a key
 * filter, not a scan. The message id is a hash of the idempotency key, so
 * sending twice for one command stores one message.
 */
export class OutboxWhatsAppClient implements WhatsAppClient {
  readonly channel = 'outbox' as const;
  private readonly records: CatalogRecords<OutboxMessage>;

  constructor(
    kv: KvStore,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.records = new CatalogRecords<OutboxMessage>(kv, OutboxMessageSchema);
  }

  async send(message: OutgoingMessage, options: SendOptions): Promise<SentMessage> {
    const id = stableId('out', options.idempotencyKey);
    const to = normalizePhone(message.to);
    const record: OutboxMessage = {
      id,
      to,
      type: message.type,
      ...(message.type === 'text' ? { text: message.text } : { template: message.template }),
      ...(message.purpose === undefined ? {} : { purpose: message.purpose }),
      idempotency_key: options.idempotencyKey,
      created_at: this.clock.now(),
    };
    const stored = await this.records.createOnce(`${to}.${id}`, record);
    return { messageId: stored.record.value.id, to, channel: this.channel };
  }

  /** Recorded messages, newest first, optionally for one phone. */
  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxMessage[]> {
    const messages = await this.records.list(filter.phone === undefined ? undefined : `${normalizePhone(filter.phone)}.*`);
    messages.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1));
    return messages.slice(0, filter.limit ?? 100);
  }
}

/** How long a recorded message stays in the outbox: it is a record of what was sent, not a store (docs/retention.md). */
export const OUTBOX_TTL_MS = 30 * 86_400_000;

/** Opens the outbox bucket of a deployment as a client. */
export async function openOutboxClient(transport: Transport, prefix: string): Promise<OutboxWhatsAppClient> {
  return new OutboxWhatsAppClient(await transport.kv(outboxBucket(prefix), { ttlMs: OUTBOX_TTL_MS }), transport.clock);
}

/**
 * Lists the messages the outbox client recorded (newest first), e.g. for a
 * gateway endpoint or a demo: `listWhatsAppOutbox(transport, 'sqf', { phone: '+55 11 99999-9999' })`.
 */
export async function listWhatsAppOutbox(transport: Transport, prefix: string, filter?: OutboxFilter): Promise<OutboxMessage[]> {
  return (await openOutboxClient(transport, prefix)).listOutbox(filter);
}
