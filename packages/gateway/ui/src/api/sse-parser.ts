/** The text/event-stream format (WHATWG HTML, server-sent events) as `GET /v1/events` writes it. */
import type { LifecycleEvent } from './types.ts';

/**
 * Splits a text/event-stream into events; `onEvent` gets each `data:` payload parsed, with `event:` as the
 * type when the data has none, and the `id:` (the stream sequence) that a reconnection resumes after.
 */
export function sseParser(onEvent: (event: LifecycleEvent, id: string | undefined) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    // On the whole buffer: a CRLF may arrive split over two chunks.
    buffer = (buffer + chunk).replace(/\r\n/g, '\n');
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
