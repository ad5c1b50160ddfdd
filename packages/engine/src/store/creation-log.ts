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
/** Slots the head probe reads at once (point reads, concurrently): a hint lagging by a few appends costs one round trip. */
const PROBE_BATCH = 8;
/**
 * The head hint is written when this process's appends are this far ahead of
 * it, else at most once per `HINT_INTERVAL_MS` (a quiet log: a hint write per
 * append would double the log's writes). Well under `MAX_HEAD_PROBES`, so the
 * probe always reaches the head, also after a crash left the hint behind.
 */
const HINT_EVERY = 32;
const HINT_INTERVAL_MS = 1_000;

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
 * hints are written after, without waiting: the head hint once per
 * `HINT_EVERY` appends or `HINT_INTERVAL_MS` (not once per append), so it
 * lags, and readers step over that (the head probe reads forward, a batch
 * of slots at a time, until a slot is empty; the walk skips empty slots).
 * Entries are forgotten one by one when their execution leaves (the index
 * knows their seq), and `trim` moves the tail hint over the gaps.
 */
export class CreationLog {
  private readonly entries: KvRecords<z.output<typeof EntrySchema>>;
  private readonly hints: KvRecords<number>;
  /** The last seq this process handed out (0: not read yet); appends in this process never race for a slot. */
  private last = 0;
  private starting: Promise<void> | undefined;
  /** The head hint: the highest seq to write next, the highest written, whether a write runs (one at a time), the trailing write. */
  private advertised = 0;
  private written = 0;
  private advertising: Promise<boolean> | undefined;
  private hintTimer: ReturnType<typeof setTimeout> | undefined;

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
    // The probed head, not the hint: the hint may lag (written in batches), and every slot under the head is taken.
    if (!this.last) await (this.starting ??= this.head().then((head) => void (this.last = Math.max(this.last, head))));
    for (let tries = 1; ; tries++) {
      const seq = ++this.last;
      try {
        await this.entries.create(this.key(seq), { id: executionId, at: createdAt });
        this.advertise(seq);
        return seq;
      } catch (err) {
        if (!(err instanceof KvConflictError) || tries >= MAX_APPEND_TRIES) throw err;
        // Another process is ahead: jump to the head rather than step over its entries one by one.
        if (tries % 4 === 0) this.last = Math.max(this.last, await this.head());
      }
    }
  }

  /**
   * Writes the head hint in the background, one write at a time, the newest
   * seq last: at once when the appends are `HINT_EVERY` ahead of it, else
   * after `HINT_INTERVAL_MS` (appends in between ride on the same write).
   */
  private advertise(seq: number): void {
    this.advertised = Math.max(this.advertised, seq);
    if (this.advertising || this.advertised <= this.written) return;
    if (this.advertised - this.written >= HINT_EVERY) this.writeHint();
    else this.scheduleHint();
  }

  private scheduleHint(): void {
    this.hintTimer ??= setTimeout(() => {
      this.hintTimer = undefined;
      this.writeHint();
    }, HINT_INTERVAL_MS);
    this.hintTimer.unref?.();
  }

  private writeHint(): void {
    if (this.advertising) return;
    clearTimeout(this.hintTimer);
    this.hintTimer = undefined;
    this.advertising = this.raiseHint(this.advertised).then(
      () => {
        this.advertising = undefined;
        this.advertise(this.advertised); // appends made during the write
        return true;
      },
      (err: unknown) => {
        this.logger?.warn({ err, log: this.name }, 'creation log: head hint not written');
        this.advertising = undefined;
        this.scheduleHint(); // not at once: the bucket is failing
        return false;
      },
    );
  }

  /** Moves the head hint up to `seq`, never backwards: another process's hint may be ahead (the probe only steps forward). */
  private async raiseHint(seq: number): Promise<void> {
    let stored = 0;
    await this.hints.mutate(this.key('head'), (current) => {
      stored = current ?? 0;
      return stored >= seq ? undefined : seq;
    });
    this.written = Math.max(this.written, stored, seq);
  }

  /** Resolves once the head hint covers every append of this process (writes a pending one now), or its write failed. */
  async settled(): Promise<void> {
    for (;;) {
      if (!this.advertising) {
        if (this.advertised <= this.written) return;
        this.writeHint();
      }
      if (!(await this.advertising)) return;
    }
  }

  /** The highest seq taken: the head hint, then forward over entries appended after it was written. */
  async head(): Promise<number> {
    const hint = await this.hint('head');
    // One slot first (a settled hint costs one read), then a batch at a time over a lagging hint.
    for (let seq = hint, batch = 1; ; batch = PROBE_BATCH) {
      const slots = await Promise.all(Array.from({ length: batch }, (_, i) => this.kv.get(this.key(seq + 1 + i))));
      const empty = slots.findIndex((slot) => !slot);
      if (empty !== -1) return seq + empty;
      seq += batch;
      if (seq - hint >= MAX_HEAD_PROBES) return seq;
    }
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

  /**
   * Forgets the entry at `seq` (its execution left). The head hint is raised
   * to `seq` first when it may be below: an empty slot above the hint would
   * stop the head probe short of the entries after it (the hint lags behind
   * the appends; forgetting is normally long after, so this is rarely a write).
   */
  async forget(seq: number): Promise<void> {
    if (seq > this.written) await this.raiseHint(seq);
    await this.kv.forget(this.key(seq));
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
    const head = await this.head();
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
