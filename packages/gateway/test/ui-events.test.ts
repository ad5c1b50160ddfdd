/**
 * The UI's lifecycle stream reader (ui/src/api/events.ts) with a stand-in
 * fetch and fake timers: it sends the token, reports the connection, and
 * after a drop reconnects with a growing pause and Last-Event-ID, so no
 * event is missed. (test/ui/ runs it against the real /v1/events.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Call {
  url: string;
  headers: Record<string, string>;
}

/** A fetch whose answers the test scripts: each is the stream text, or null for a refused connection. */
function scriptedFetch(answers: Array<string | null>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => {
    calls.push({ url, headers: init.headers });
    const answer = answers.shift();
    if (answer === null) throw new TypeError('fetch failed');
    // The last scripted answer stays open (until aborted), like a live stream.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (answer !== undefined) controller.enqueue(new TextEncoder().encode(answer));
        if (answers.length > 0 || answer === undefined) controller.close();
        init.signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  });
  return { fetch, calls };
}

beforeEach(() => {
  vi.useFakeTimers();
  const store = new Map<string, string>([['squadflow.token', 'tok-123']]);
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('followEvents', () => {
  it('reconnects after a drop with Last-Event-ID and a pause that grows, and reports the connection state', async () => {
    const first = 'id: 7\nevent: step.completed\ndata: {"type":"step.completed","executionId":"ex_1","step":"a"}\n\n';
    const third = 'id: 8\nevent: execution.completed\ndata: {"type":"execution.completed","executionId":"ex_1"}\n\n';
    const { fetch, calls } = scriptedFetch([first, null, third]);
    vi.stubGlobal('fetch', fetch);
    const { followEvents } = await import('../ui/src/api/events.ts');
    const events: string[] = [];
    const states: boolean[] = [];
    const stop = followEvents(
      { execution: 'ex_1' },
      (e) => events.push(`${e.type}:${e.step ?? ''}`),
      (s) => states.push(s),
    );

    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      url: '/v1/events?execution=ex_1',
      headers: { authorization: 'Bearer tok-123', accept: 'text/event-stream' },
    });
    expect(events).toEqual(['step.completed:a']);
    expect(states).toEqual([true, false]);

    // The stream ended: the next try comes after 0.5 s, not before.
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['last-event-id']).toBe('7');

    // That try was refused: the pause doubles to 1 s.
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.headers['last-event-id']).toBe('7');
    expect(events).toEqual(['step.completed:a', 'execution.completed:']);
    expect(states.at(-1)).toBe(true);

    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
  });
});
