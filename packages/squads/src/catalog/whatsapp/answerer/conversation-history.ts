import type { Clock, KvStore, Transport } from '@squadflow/transport';
import { names } from '@squadflow/shared';
import { z } from 'zod';
import { CatalogRecords } from '../../common/kv-records.ts';
import { normalizePhone } from '../../common/phone.ts';

/** One exchange: what the lead sent (as the model saw it) and the reply sent back. */
export const TurnSchema = z.object({
  /** `<execution id>.<step>`: a retried step replaces its own turn instead of adding another. */
  id: z.string(),
  user: z.string(),
  assistant: z.string(),
  answered_by: z.enum(['rules', 'llm']),
  at: z.number(),
});
export type Turn = z.output<typeof TurnSchema>;

const HistorySchema = z.object({ phone: z.string(), turns: z.array(TurnSchema), updated_at: z.number() });
type History = z.output<typeof HistorySchema>;

/** Bucket of the histories: `<prefix>_whatsapp_history`. */
export function historyBucket(prefix: string): string {
  return names(prefix).squadBucket('whatsapp_history');
}

/**
 * How long a quiet lead's history is kept (KV max age, counted from its last
 * write): it holds the lead's own messages, so it must not outlive the
 * conversation by much (docs/llm.md, docs/retention.md).
 */
export const HISTORY_TTL_MS = 30 * 86_400_000;

/**
 * The conversation of each phone number, one KV record per phone (key: the
 * E.164 digits, which are valid KV key characters), bounded to the last
 * `maxTurns` exchanges. Appends are compare-and-set on the revision read,
 * so two answers for one phone running at once (two replicas, two quick
 * messages) both keep their turn.
 */
export class ConversationHistory {
  private readonly records: CatalogRecords<History>;

  constructor(
    kv: KvStore,
    private readonly clock: Pick<Clock, 'now'>,
    readonly maxTurns: number,
  ) {
    this.records = new CatalogRecords<History>(kv, HistorySchema);
  }

  /** The KV key of a phone's history (throws `INVALID_PHONE` for a number that is not one). */
  static key(phone: string): string {
    return normalizePhone(phone);
  }

  /** The stored turns, oldest first (empty for a phone never seen). */
  async turns(phone: string): Promise<Turn[]> {
    return (await this.records.get(ConversationHistory.key(phone)))?.value.turns ?? [];
  }

  /** Adds (or, for a known id, replaces) a turn and drops the oldest beyond `maxTurns`; returns the turns as stored. */
  async append(phone: string, turn: Turn): Promise<Turn[]> {
    const key = ConversationHistory.key(phone);
    const { record } = await this.records.mutate(key, (current) => {
      const kept = (current?.turns ?? []).filter((t) => t.id !== turn.id);
      return { phone: key, turns: [...kept, turn].slice(-this.maxTurns), updated_at: this.clock.now() };
    });
    return record?.value.turns ?? [];
  }

  /** Deletes a phone's history (the lead opted out). */
  async forget(phone: string): Promise<void> {
    await this.records.delete(ConversationHistory.key(phone));
  }
}

/** Opens the history bucket of a deployment (created with its TTL on first use). */
export async function openConversationHistory(transport: Transport, prefix: string, maxTurns: number): Promise<ConversationHistory> {
  return new ConversationHistory(await transport.kv(historyBucket(prefix), { ttlMs: HISTORY_TTL_MS }), transport.clock, maxTurns);
}
