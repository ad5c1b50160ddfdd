import { encodeToken } from '@squadflow/shared';
import { KvConflictError, type KvStore } from '@squadflow/transport';

export interface WaitRegistration {
  executionId: string;
  step: string;
  purpose: 'wait' | 'escalation';
}

export interface BufferedSignal {
  signalId: string;
  data?: unknown;
  receivedAt: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Which executions wait on which correlation key (`w.<key>`), and signals that
 * arrived while nothing waited (`s.<key>`), kept for a lookback window so a
 * signal sent just before its wait was armed still resumes it. Keys from
 * outside (phone numbers...) are encoded before they become KV keys.
 */
export class WaitIndex {
  constructor(private readonly kv: KvStore) {}

  async lookup(key: string): Promise<WaitRegistration[]> {
    const entry = await this.kv.get(`w.${encodeToken(key)}`);
    return entry ? (JSON.parse(dec.decode(entry.value)) as WaitRegistration[]) : [];
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
    await this.kv.put(`s.${encodeToken(key)}`, enc.encode(JSON.stringify(signal)));
  }

  /** The last signal sent to a key while nothing waited on it. */
  async peekBuffered(key: string): Promise<BufferedSignal | undefined> {
    const entry = await this.kv.get(`s.${encodeToken(key)}`);
    return entry ? (JSON.parse(dec.decode(entry.value)) as BufferedSignal) : undefined;
  }

  /** Forgets the buffered signal once delivered (unless a newer one replaced it meanwhile). */
  async clearBuffered(key: string, signalId: string): Promise<void> {
    const k = `s.${encodeToken(key)}`;
    const entry = await this.kv.get(k);
    if (!entry || (JSON.parse(dec.decode(entry.value)) as BufferedSignal).signalId !== signalId) return;
    await this.kv.delete(k);
  }

  /** Read-modify-write with compare-and-set; concurrent writers retry. */
  private async modify(key: string, change: (list: WaitRegistration[]) => WaitRegistration[]): Promise<void> {
    for (;;) {
      const entry = await this.kv.get(key);
      const list = entry ? (JSON.parse(dec.decode(entry.value)) as WaitRegistration[]) : [];
      const next = change(list);
      if (next === list) return;
      try {
        if (!next.length && entry) await this.kv.delete(key);
        else if (entry) await this.kv.update(key, enc.encode(JSON.stringify(next)), entry.revision);
        else await this.kv.create(key, enc.encode(JSON.stringify(next)));
        return;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }
}
