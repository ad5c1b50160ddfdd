/** One message stored in a memory stream. */
export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  /** Clock time it was stored at (for `maxAgeMs`). */
  readonly time: number;
  /** The publisher's headers (a copy), if it set any. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * The messages of one stream, addressed by sequence. A dense array with
 * holes (acked work-queue messages, expired messages) and a moving head:
 * lookup by sequence is O(1) and a consumer's cursor scan touches each
 * message once, which a Map would not give (no "first key after n").
 */
export class MessageLog {
  private slots: (StoredMessage | undefined)[] = [];
  /** Sequence of `slots[0]`. */
  private base = 1;
  /** Index of the first slot that may be live; everything before is a hole. */
  private head = 0;
  private live = 0;

  /** Sequence of the last message ever appended (0 when none). */
  get lastSeq(): number {
    return this.base + this.slots.length - 1;
  }

  get size(): number {
    return this.live;
  }

  append(subject: string, data: Uint8Array, time: number, headers?: Readonly<Record<string, string>>): StoredMessage {
    const message = { seq: this.lastSeq + 1, subject, data, time, headers };
    this.slots.push(message);
    this.live++;
    return message;
  }

  get(seq: number): StoredMessage | undefined {
    const i = seq - this.base;
    return i >= this.head ? this.slots[i] : undefined;
  }

  delete(seq: number): void {
    const i = seq - this.base;
    if (i < this.head || !this.slots[i]) return;
    this.slots[i] = undefined;
    this.live--;
    if (i === this.head) this.advanceHead();
  }

  /** The oldest live message. */
  first(): StoredMessage | undefined {
    return this.slots[this.head];
  }

  /** The first live message with sequence >= `seq` accepted by `accept`, scanning forward. */
  find(seq: number, accept: (m: StoredMessage) => boolean): StoredMessage | undefined {
    for (let i = Math.max(seq - this.base, this.head); i < this.slots.length; i++) {
      const m = this.slots[i];
      if (m && accept(m)) return m;
    }
    return undefined;
  }

  /** The newest live message accepted by `accept`, scanning backward. */
  findLast(accept: (m: StoredMessage) => boolean): StoredMessage | undefined {
    for (let i = this.slots.length - 1; i >= this.head; i--) {
      const m = this.slots[i];
      if (m && accept(m)) return m;
    }
    return undefined;
  }

  private advanceHead(): void {
    while (this.head < this.slots.length && this.slots[this.head] === undefined) this.head++;
    // Reclaim the prefix once it dominates, so a long-lived work queue does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}
