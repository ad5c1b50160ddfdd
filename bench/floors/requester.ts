/**
 * Requests without `nc.request()`: one wildcard reply subscription and a
 * table of pending requests keyed by the last reply-subject token. The
 * client's own request path allocates per call; this is what a tuned
 * engine could do, so it is the pipelined floor's transport.
 */
import { randomBytes } from 'node:crypto';
import type { MsgHdrs, NatsConnection } from '../lib/nats.ts';

interface Pending {
  resolve(data: Uint8Array): void;
  reject(err: Error): void;
  at: number;
}

const TIMEOUT_MS = 10_000;

export class Requester {
  private readonly inbox = `_INBOX.bench${randomBytes(6).toString('hex')}`;
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private readonly sweep: ReturnType<typeof setInterval>;

  constructor(private readonly nc: NatsConnection) {
    nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const token = msg.subject.slice(this.inbox.length + 1);
        const p = this.pending.get(token);
        if (!p) return;
        this.pending.delete(token);
        // A status message (503: no responders) has no payload worth returning.
        if (msg.headers?.hasError) p.reject(new Error(`request failed: ${msg.headers.code} ${msg.headers.description}`));
        else p.resolve(msg.data);
      },
    });
    // One timer for all requests instead of one per request.
    this.sweep = setInterval(() => {
      const limit = Date.now() - TIMEOUT_MS;
      for (const [token, p] of this.pending) {
        if (p.at >= limit) break; // insertion order = age order
        this.pending.delete(token);
        p.reject(new Error('request timed out'));
      }
    }, 1_000);
  }

  request(subject: string, data: Uint8Array, headers?: MsgHdrs): Promise<Uint8Array> {
    const token = (this.next++).toString(36);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, at: Date.now() });
      this.nc.publish(subject, data, { reply: `${this.inbox}.${token}`, ...(headers ? { headers } : {}) });
    });
  }

  close(): void {
    clearInterval(this.sweep);
    for (const p of this.pending.values()) p.reject(new Error('requester closed'));
    this.pending.clear();
  }
}
