import { type Logger } from '@squadflow/shared';
import { KvConflictError, KvRecordError, kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

/** One entry: an execution, in the order executions were created. */
export interface LogEntry {
  seq: number;
  executionId: string;
  createdAt: number;
}

/** `repeat`: a writer that lost the race to log this execution left its slot taken (see `markRepeat`). */
const EntrySchema = z.object({ id: z.string(), at: z.number(), repeat: z.literal(true).optional() });
const HintSchema = z.number().int().nonnegative();
/** Slots an append tries before it gives up (each conflict moves on by one, every fourth to the advertised head). */
const MAX_APPEND_TRIES = 64;
/** Entries the head probe steps over past a lagging hint before it settles. */
const MAX_HEAD_PROBES = 256;

/**
 * An append-only log of executions in creation order, in the index bucket:
 * entries `<name>.<seq>` (seq 1, 2, ...; `{ id, at }`), a head hint
 * `<name>.head` (the highest seq known taken) and a tail hint
 * `<name>.tail` (the lowest seq that may still be present).
 *
 * It exists so that the newest page costs the page: read the head, then
 * the entries below it one by one (point reads). A bucket listing by key
 * pattern would cost every execution stored (issue 13, part 4).
 *
 * A slot is taken with a create (compare-and-set on "absent"), so two
 * writers never share one; a writer that loses moves to the next. The
 * hints are written after, without waiting and without compare-and-set:
 * a hint may lag or go back a little, and readers step over that (the head
 * probe reads forward until a slot is empty; the walk skips empty slots).
 * Entries are forgotten one by one when their execution leaves (the index
 * knows their seq), and `trim` moves the tail hint over the gaps.
 */
export class CreationLog {
  private readonly entries: KvRecords<z.output<typeof EntrySchema>>;
  private readonly hints: KvRecords<number>;
  /** The last seq this process handed out (0: not read yet); appends in this process never race for a slot. */
  private last = 0;
  private starting: Promise<void> | undefined;
  /** The head hint: the highest seq to write next, and whether a write of it is running (one at a time). */
  private advertised = 0;
  private advertising = false;

  constructor(
    private readonly kv: KvStore,
    readonly name: string,
    private readonly logger?: Logger,
  ) {
    this.entries = kvRecords(kv, EntrySchema);
    this.hints = kvRecords(kv, HintSchema);
  }

  /** Appends an execution; resolves with its seq once stored. */
  async append(executionId: string, createdAt: number): Promise<number> {
    if (!this.last) await (this.starting ??= this.hint('head').then((head) => void (this.last = Math.max(this.last, head))));
    for (let tries = 1; ; tries++) {
      const seq = ++this.last;
      try {
        await this.entries.create(this.key(seq), { id: executionId, at: createdAt });
        this.advertise(seq);
        return seq;
      } catch (err) {
        if (!(err instanceof KvConflictError) || tries >= MAX_APPEND_TRIES) throw err;
        // Another process is ahead: jump to the head it advertised rather than step over its entries one by one.
        if (tries % 4 === 0) this.last = Math.max(this.last, await this.hint('head'));
      }
    }
  }

  /** Writes the head hint in the background, one write at a time, the newest seq last. */
  private advertise(seq: number): void {
    this.advertised = Math.max(this.advertised, seq);
    if (this.advertising) return;
    this.advertising = true;
    void (async () => {
      for (let written = 0; written < this.advertised;) {
        written = this.advertised;
        const seq = written;
        // Never backwards: another process's hint may be ahead of this one's; the probe only steps forward from it.
        await this.hints
          .mutate(this.key('head'), (current) => (current !== null && current >= seq ? undefined : seq))
          .catch((err: unknown) => this.logger?.warn({ err, log: this.name }, 'creation log: head hint not written'));
      }
      this.advertising = false;
    })();
  }

  /** The highest seq taken: the head hint, then forward over entries appended after it was written. */
  async head(): Promise<number> {
    let seq = await this.hint('head');
    for (let i = 0; i < MAX_HEAD_PROBES && (await this.kv.get(this.key(seq + 1))); i++) seq++;
    return seq;
  }

  /** The lowest seq that may still hold an entry (1 until the log was trimmed). */
  async tail(): Promise<number> {
    return Math.max(1, await this.hint('tail'));
  }

  /** The entries at `seqs` (point reads, concurrently); an empty slot, or one that is not an entry, is left out. */
  async read(seqs: readonly number[]): Promise<LogEntry[]> {
    const skipBad = (err: unknown): null => {
      if (err instanceof KvRecordError) return null;
      throw err;
    };
    const stored = await Promise.all(seqs.map((seq) => this.entries.get(this.key(seq)).catch(skipBad)));
    return stored.flatMap((s, i) => (s && !s.value.repeat ? [{ seq: seqs[i]!, executionId: s.value.id, createdAt: s.value.at }] : []));
  }

  /** Forgets the entry at `seq` (its execution left). */
  forget(seq: number): Promise<void> {
    return this.kv.forget(this.key(seq));
  }

  /**
   * Marks the entry at `seq` a repeat (another writer logged the execution
   * first): walks skip it, but its slot stays taken, so the head probe,
   * which stops at the first empty slot, still steps over it to the
   * entries appended after it; `trim` forgets it once the tail reaches it.
   */
  async markRepeat(seq: number): Promise<void> {
    const stored = await this.entries.get(this.key(seq));
    if (stored) await this.entries.put(this.key(seq), { ...stored.value, repeat: true });
  }

  /**
   * Advances the tail hint over the empty slots at the tail (at most `max`
   * of them), so walks stop there instead of reading slots long forgotten.
   */
  async trim(max = 64): Promise<number> {
    const head = await this.hint('head');
    const from = await this.tail();
    let tail = from;
    for (; tail - from < max && tail <= head; tail++) {
      const slot = await this.entries.get(this.key(tail)).catch((err: unknown) => {
        if (err instanceof KvRecordError) return null;
        throw err;
      });
      if (slot && !slot.value.repeat) break;
      if (slot) await this.forget(tail); // a repeat: nothing reads it any more
    }
    if (tail > from) await this.hints.put(this.key('tail'), tail);
    return tail - from;
  }

  private key(seq: number | 'head' | 'tail'): string {
    return `${this.name}.${seq}`;
  }

  private async hint(which: 'head' | 'tail'): Promise<number> {
    return (await this.hints.get(this.key(which)))?.value ?? 0;
  }
}
