import { encodeToken } from '@squadflow/shared';
import { DELETE_RECORD, kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

// Loose: a field a newer replica adds survives this one's rewrite, as it did before the schemas.
const WaitRegistrationSchema = z.looseObject({
  executionId: z.string(),
  step: z.string(),
  purpose: z.enum(['wait', 'escalation']),
});
export type WaitRegistration = z.output<typeof WaitRegistrationSchema>;

const BufferedSignalSchema = z.looseObject({
  signalId: z.string(),
  data: z.unknown().optional(),
  receivedAt: z.number(),
});
export type BufferedSignal = z.output<typeof BufferedSignalSchema>;

/**
 * Which executions wait on which correlation key (`w.<key>`), and signals that
 * arrived while nothing waited (`s.<key>`), kept for a lookback window so a
 * signal sent just before its wait was armed still resumes it. Keys from
 * outside (phone numbers...) are encoded before they become KV keys.
 */
export class WaitIndex {
  private readonly registrations: KvRecords<WaitRegistration[]>;
  private readonly buffered: KvRecords<BufferedSignal>;

  constructor(kv: KvStore) {
    this.registrations = kvRecords(kv, z.array(WaitRegistrationSchema));
    this.buffered = kvRecords(kv, BufferedSignalSchema);
  }

  async lookup(key: string): Promise<WaitRegistration[]> {
    return (await this.registrations.get(`w.${encodeToken(key)}`))?.value ?? [];
  }

  register(key: string, reg: WaitRegistration): Promise<void> {
    return this.modify(`w.${encodeToken(key)}`, (list) =>
      list.some((r) => r.executionId === reg.executionId && r.step === reg.step) ? list : [...list, reg],
    );
  }

  unregister(key: string, executionId: string, step: string): Promise<void> {
    return this.modify(`w.${encodeToken(key)}`, (list) => list.filter((r) => !(r.executionId === executionId && r.step === step)));
  }

  async buffer(key: string, signal: BufferedSignal): Promise<void> {
    await this.buffered.put(`s.${encodeToken(key)}`, signal);
  }

  /** The last signal sent to a key while nothing waited on it. */
  async peekBuffered(key: string): Promise<BufferedSignal | undefined> {
    return (await this.buffered.get(`s.${encodeToken(key)}`))?.value;
  }

  /** Forgets the buffered signal once delivered (unless a newer one replaced it meanwhile). */
  async clearBuffered(key: string, signalId: string): Promise<void> {
    const k = `s.${encodeToken(key)}`;
    if ((await this.buffered.get(k))?.value.signalId !== signalId) return;
    await this.buffered.delete(k);
  }

  /** Read-modify-write with compare-and-set; concurrent writers retry. An emptied list deletes the key. */
  private async modify(key: string, change: (list: WaitRegistration[]) => WaitRegistration[]): Promise<void> {
    await this.registrations.mutate(key, (current) => {
      const list = current ?? [];
      const next = change(list);
      if (next === list) return undefined;
      // As before the helper: only a stored list that empties is deleted; an absent key is written as is.
      return next.length || !current ? next : DELETE_RECORD;
    });
  }
}
