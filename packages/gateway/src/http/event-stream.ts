/**
 * One server-sent events answer (`text/event-stream`) written straight to
 * the socket: fastify hands the response over (`reply.hijack()`) because
 * the answer never ends by itself. Each event is `id:`, `event:`, `data:`
 * and a blank line; an idle stream gets a `: keepalive` comment every
 * `keepaliveMs`, so proxies and the socket idle timeout keep it open.
 *
 * Events sent before `open()` are held, so a source can start (and fail,
 * answered as an ordinary error) before the head is written.
 *
 * A client that reads slower than events arrive would make Node buffer
 * them without bound: past `MAX_BUFFERED_BYTES` unread the stream is closed
 * instead, and the client resumes from its `Last-Event-ID`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Unread bytes a slow client may leave in the socket buffer before its stream is closed. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class EventStream {
  private timer: ReturnType<typeof setInterval> | undefined;
  private held: string[] | undefined = [];
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly keepaliveMs: number,
  ) {}

  /** Takes the response over, writes the head and the events held so far, and starts the keepalive. */
  open(): void {
    this.reply.hijack();
    this.reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers answers by default, which would hold events back.
      'x-accel-buffering': 'no',
      'x-request-id': this.request.id,
      'x-content-type-options': 'nosniff',
    });
    const held = this.held ?? [];
    this.held = undefined;
    // Opens the stream at once (a fetch resolves on the first byte) and says how soon to reconnect.
    this.write(': connected\nretry: 2000\n\n');
    for (const chunk of held) this.write(chunk);
    this.timer = setInterval(() => this.write(': keepalive\n\n'), this.keepaliveMs);
    this.timer.unref?.();
    this.reply.raw.on('close', () => this.close());
    // The client may have left before the listener was set.
    if (this.request.raw.socket?.destroyed || this.reply.raw.destroyed) this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes one event. `data` is JSON on one line, so it needs no `data:` continuation lines. */
  send(id: string | number, event: string, data: unknown): void {
    const chunk = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    if (this.held) this.held.push(chunk);
    else this.write(chunk);
  }

  /** Calls `fn` once the stream ends for any reason (at once if it has). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeListeners.push(fn);
  }

  /** Ends the answer (server shutdown, a slow client, the source ended) and releases what it holds. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // Before `open()` the reply is still fastify's: the route answers it.
    if (this.held === undefined && !this.reply.raw.writableEnded) this.reply.raw.end();
    for (const fn of this.closeListeners.splice(0)) fn();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (this.reply.raw.writableLength > MAX_BUFFERED_BYTES) {
      this.request.log.warn({ buffered: this.reply.raw.writableLength }, 'event stream closed: the client reads too slowly');
      this.close();
      return;
    }
    this.reply.raw.write(chunk);
  }
}
