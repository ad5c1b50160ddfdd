/**
 * The lifecycle stream (`GET /v1/events`, server-sent events) read with fetch
 * and a ReadableStream: EventSource cannot send the Authorization header.
 * The connection is re-opened after a drop, with a growing pause.
 */
import { authHeaders } from './client.ts';
import { sseParser } from './sse-parser.ts';
import type { LifecycleEvent } from './types.ts';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Follows `/v1/events` with the given filters until the returned function is called. `onState` reports whether the stream is open. */
export function followEvents(
  filters: { workflow?: string; execution?: string; types?: string },
  onEvent: (event: LifecycleEvent) => void,
  onState: (connected: boolean) => void = () => {},
): () => void {
  const controller = new AbortController();
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  let delay = RETRY_MIN_MS;
  // After a drop, the stream resumes after the last event seen (Last-Event-ID): none is missed.
  let lastId: string | undefined;

  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await fetch(`/v1/events?${params.toString()}`, {
          headers: { ...authHeaders(), accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
          signal: controller.signal,
        });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState(true);
        delay = RETRY_MIN_MS;
        const parse = sseParser((event, id) => {
          if (id) lastId = id;
          onEvent(event);
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  };
  void run();
  return () => controller.abort();
}
