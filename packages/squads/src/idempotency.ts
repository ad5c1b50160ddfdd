import { KvConflictError, kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { codec, encodeToken, EpochMsSchema, StepReplySchema, type StepReply } from '@squadflow/shared';
import { z } from 'zod';

/** How long a command's record is kept: longer than any redelivery of it can arrive. */
export const IDEMPOTENCY_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The per-command record. `started` is written BEFORE the handler runs, so a
 * redelivery after a crash sees that the handler may already have run and
 * does not run it again (at most once per attempt). `done` holds a reply
 * that must be published again by a redelivery: an INTERRUPTED answer given
 * to a duplicate delivery, or a real reply whose publication failed. A reply
 * published successfully needs no `done`: the inbound stream holds it, and
 * its message id deduplicates any INTERRUPTED sent for the same command.
 */
const IdempotencyRecordSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('started'), at: EpochMsSchema }),
  z.strictObject({ state: z.literal('done'), at: EpochMsSchema, reply: StepReplySchema }),
]);
export type IdempotencyRecord = z.output<typeof IdempotencyRecordSchema>;
export const idempotencyRecordCodec = codec('idempotency record', IdempotencyRecordSchema);

/** Result of trying to claim a command. */
export type Claim =
  /** Ours: run the handler, then `settle` at this revision. */
  | { status: 'claimed'; revision: number }
  /** Already answered: re-publish `reply`. */
  | { status: 'done'; reply: StepReply }
  /** Started by another delivery that has not answered (crashed or still running). */
  | { status: 'started'; revision: number };

/** The squad side of "run at most once per (execution, step, attempt)", over one KV bucket. */
export class IdempotencyLedger {
  private readonly records: KvRecords<IdempotencyRecord>;

  constructor(kv: KvStore) {
    this.records = kvRecords(kv, IdempotencyRecordSchema);
  }

  /** Records `started` if nobody did; otherwise returns the existing record. */
  async claim(commandId: string, at: number): Promise<Claim> {
    // Create first; an existing record is read back (one deleted or expired in between: create again, bounded).
    const { created, record } = await this.records.createOnce(encodeToken(commandId), { state: 'started', at });
    if (created) return { status: 'claimed', revision: record.revision };
    return record.value.state === 'done' ? { status: 'done', reply: record.value.reply } : { status: 'started', revision: record.revision };
  }

  /** The command's record, if any delivery claimed it (a read only: claims nothing). */
  async read(commandId: string): Promise<IdempotencyRecord | undefined> {
    return (await this.records.get(encodeToken(commandId)))?.value;
  }

  /**
   * Stores `reply` as the command's final answer, unless another delivery
   * settled it first (compare-and-set on the `started` revision). Returns the
   * reply that won, so every delivery publishes the same answer.
   */
  async settle(commandId: string, reply: StepReply, startedRevision: number, at: number): Promise<StepReply> {
    const key = encodeToken(commandId);
    const done: IdempotencyRecord = { state: 'done', at, reply };
    try {
      await this.records.update(key, done, startedRevision);
      return reply;
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
    const record = (await this.records.get(key))?.value;
    if (record?.state === 'done') return record.reply;
    // The record vanished (TTL) or was rewritten as started: ours is the only answer.
    await this.records.put(key, done);
    return reply;
  }
}
