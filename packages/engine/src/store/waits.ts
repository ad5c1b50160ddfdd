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

/**
 * Which executions wait on which correlation key (`w.<key>`). Keys from
 * outside (phone numbers...) are encoded before they become KV keys. Every
 * change is a compare-and-set on the list read, and a list that empties is
 * deleted at the revision read, so concurrent registrations never lose each
 * other. (Signals that arrive while nothing waits: `SignalBuffer`.)
 */
export class WaitIndex {
  private readonly registrations: KvRecords<WaitRegistration[]>;

  constructor(kv: KvStore) {
    this.registrations = kvRecords(kv, z.array(WaitRegistrationSchema));
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
    return this.modify(`w.${encodeToken(key)}`, (list) => {
      const kept = list.filter((r) => !(r.executionId === executionId && r.step === step));
      return kept.length === list.length ? list : kept;
    });
  }

  /**
   * Read-modify-write with compare-and-set; concurrent writers retry. A list
   * that empties is deleted at the revision read (a registration added
   * meanwhile makes it decide again), and nothing is written for a key that
   * is absent and stays empty.
   */
  private async modify(key: string, change: (list: WaitRegistration[]) => WaitRegistration[]): Promise<void> {
    await this.registrations.mutate(key, (current) => {
      const list = current ?? [];
      const next = change(list);
      if (next === list) return undefined;
      if (next.length) return next;
      return current ? DELETE_RECORD : undefined;
    });
  }
}
