/**
 * Delivery statuses of messages we sent (sent → delivered → read, or failed),
 * latest per message id in KV (`<prefix>_wa_status`). Meta may deliver them
 * out of order or twice, so "latest" means the newest timestamp, then the
 * furthest status; every distinct status is kept in `history`.
 */
import { kvRecords, type KvRecords, type Transport } from '@squadflow/transport';
import { encodeToken } from '@squadflow/shared';
import { z } from 'zod';
import { LEDGER_TTL_MS } from './ledger.ts';
import type { WhatsAppStatus } from './whatsapp-payload.ts';

const RANK = { sent: 1, delivered: 2, read: 3, failed: 4 } as const;

export const MessageStatusSchema = z.object({
  messageId: z.string(),
  status: z.enum(['sent', 'delivered', 'read', 'failed']),
  /** Unix seconds, as Meta sent it. */
  timestamp: z.string(),
  recipientId: z.string(),
  errors: z.array(z.unknown()).optional(),
  updatedAt: z.number().describe('epoch ms of the last update'),
  history: z.array(z.object({ status: z.string(), timestamp: z.string() })),
});
export type MessageStatus = z.output<typeof MessageStatusSchema>;

export class WhatsAppStatusStore {
  private store?: Promise<KvRecords<MessageStatus>>;

  constructor(
    private readonly transport: Transport,
    private readonly bucket: string,
  ) {}

  /** Merges one status callback into the message's record (compare-and-set, retried on a race). */
  async record(update: WhatsAppStatus): Promise<MessageStatus> {
    const records = await this.records();
    const { record } = await records.mutate(encodeToken(update.id), (current) => merge(current, update, this.transport.clock.now()));
    // Set: `merge` always returns a record, so the mutation wrote one.
    return record!.value;
  }

  async get(messageId: string): Promise<MessageStatus | null> {
    return (await (await this.records()).get(encodeToken(messageId)))?.value ?? null;
  }

  private records(): Promise<KvRecords<MessageStatus>> {
    if (!this.store) {
      this.store = this.transport.kv(this.bucket, { ttlMs: LEDGER_TTL_MS }).then((kv) => kvRecords(kv, MessageStatusSchema));
      this.store.catch(() => (this.store = undefined));
    }
    return this.store;
  }
}

function merge(current: MessageStatus | null, update: WhatsAppStatus, now: number): MessageStatus {
  const history = current?.history ?? [];
  const seen = history.some((h) => h.status === update.status && h.timestamp === update.timestamp);
  const nextHistory = seen ? history : [...history, { status: update.status, timestamp: update.timestamp }];
  const newer =
    !current ||
    Number(update.timestamp) > Number(current.timestamp) ||
    (Number(update.timestamp) === Number(current.timestamp) && RANK[update.status] >= RANK[current.status]);
  const latest = newer
    ? {
        status: update.status,
        timestamp: update.timestamp,
        recipientId: update.recipient_id,
        ...(update.errors ? { errors: update.errors } : {}),
      }
    : {
        status: current.status,
        timestamp: current.timestamp,
        recipientId: current.recipientId,
        ...(current.errors ? { errors: current.errors } : {}),
      };
  return { messageId: update.id, ...latest, updatedAt: now, history: nextHistory };
}
