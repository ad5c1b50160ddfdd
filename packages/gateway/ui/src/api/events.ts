/**
 * The lifecycle stream (`GET /v1/events`, server-sent events) read with fetch
 * and a ReadableStream: EventSource cannot send the Authorization header.
 * The connection is re-opened after a drop, with a growing pause.
 */
import { authHeaders } from './client.ts';
import type { LifecycleEvent } from './types.ts';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * Splits a text/event-stream into events; `onEvent` gets each `data:` payload parsed, with `event:` as the
 * type when the data has none, and the `id:` (the stream sequence) that a reconnection resumes after.
 */
export function sseParser(onEvent: (event: LifecycleEvent, id: string | undefined) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      try {
        const parsed = JSON.parse(data.join('\n')) as LifecycleEvent;
        onEvent({ ...parsed, type: parsed.type ?? type }, id);
      } catch {
        // A comment or a keep-alive that is not JSON: nothing to show.
      }
    }
  };
}

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
