/**
 * `GET /v1/events` over real HTTP, on memory and on NATS: lifecycle events of
 * an execution arrive in order as server-sent events, `Last-Event-ID`
 * resumes, keepalive comments flow, a client that leaves leaves no consumer
 * behind, and the open-stream limit holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStreams, type MemoryTransport } from '@squadflow/transport';
import { Collector, consumerNames, until, within } from '@squadflow/transport/testing';
import { echoWorkflow, startStack, type Stack } from './support.ts';

interface SseEvent {
  id?: string;
  event?: string;
  data?: Record<string, unknown>;
  comment?: string;
}

/** A fetch-streamed event stream, parsed into events and comments as it arrives. */
class SseClient {
  readonly events = new Collector<SseEvent>();
  private readonly abort = new AbortController();
  status = 0;
  /** Resolves when the server ended the answer (or the client aborted it). */
  ended: Promise<void> = Promise.resolve();

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetch(url, { headers, signal: client.abort.signal });
    client.status = res.status;
    if (res.ok && res.body) client.ended = client.read(res.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) event.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
          }
          this.events.push(event);
        }
      }
    } catch {
      // aborted by close()
    }
  }

  /** The lifecycle events (not comments) received so far. */
  lifecycle(): SseEvent[] {
    return this.events.items.filter((e) => e.event !== undefined);
  }

  close(): void {
    this.abort.abort();
  }
}

describe.each(['memory', 'nats'] as const)('live lifecycle events over SSE (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      kind,
      workflows: [echoWorkflow('sse_echo')],
      listen: true,
      config: { eventKeepaliveMs: 100, maxEventStreams: 3 },
    });
  });
  afterAll(() => stack?.close());

  /**
   * Tails of event streams on the lifecycle stream right now (ephemeral consumers on NATS), beside the one the
   * gateway keeps for its execution metrics (docs/metrics.md) while it runs.
   */
  let metricsTail = 1;
  const tails = async (): Promise<number> =>
    (kind === 'memory'
      ? (stack.transport as MemoryTransport).streams.tailCount(stack.client.names.streams.lifecycle)
      : (await consumerNames(stack.client.names.streams.lifecycle)).length) - metricsTail;
  const completedOf = (client: SseClient, id: string) =>
    client.events.until(
      (items) => items.some((e) => e.event === 'execution.completed' && e.data?.['executionId'] === id),
      `${id} completed`,
    );

  it('streams execution.started, step.completed and execution.completed in order for an execution, ids rising', async () => {
    const client = await SseClient.open(`${stack.url}/v1/events?workflow=sse_echo`);
    expect(client.status).toBe(200);
    await client.events.until((items) => items.some((e) => e.comment === 'connected'), 'the stream to open');
    const id = await stack.client.trigger('sse_echo', { n: 1 });
    await completedOf(client, id);
    const mine = client.lifecycle().filter((e) => e.data?.['executionId'] === id);
    expect(mine.map((e) => [e.event, e.data?.['type'], e.data?.['step']])).toEqual([
      ['execution.started', 'execution.started', undefined],
      ['step.completed', 'step.completed', 'echo'],
      ['execution.completed', 'execution.completed', undefined],
    ]);
    const seqs = mine.map((e) => Number(e.id));
    expect(seqs.every((s, i) => Number.isInteger(s) && (i === 0 || s > seqs[i - 1]!))).toBe(true);
    client.close();
    await until('the tail to stop', tails, (n) => n === 0, 10_000);
  });

  it('filters by execution and type, and resumes after Last-Event-ID with the events that followed it', async () => {
    const id = await stack.client.trigger('sse_echo', { n: 2 });
    await stack.client.waitFor(id, undefined, 20_000);
    // From the start of the stream: the backlog is replayed, filtered to this execution.
    const replay = await SseClient.open(`${stack.url}/v1/events?execution=${id}`, { 'last-event-id': '0' });
    await completedOf(replay, id);
    const all = replay.lifecycle();
    expect(all.map((e) => e.event)).toEqual(['execution.started', 'step.completed', 'execution.completed']);
    replay.close();
    const resumed = await SseClient.open(`${stack.url}/v1/events?execution=${id}`, { 'last-event-id': all[0]!.id! });
    await completedOf(resumed, id);
    expect(resumed.lifecycle().map((e) => e.id)).toEqual([all[1]!.id, all[2]!.id]);
    resumed.close();
    const typed = await SseClient.open(`${stack.url}/v1/events?execution=${id}&types=step.completed,execution.completed`, {
      'last-event-id': '0',
    });
    await completedOf(typed, id);
    expect(typed.lifecycle().map((e) => e.event)).toEqual(['step.completed', 'execution.completed']);
    typed.close();
    await until('the tails to stop', tails, (n) => n === 0, 10_000);
  });

  it('sends keepalive comments on an idle stream, which outlives the request timeout', async () => {
    const client = await SseClient.open(`${stack.url}/v1/events?workflow=nothing_here`);
    const opened = Date.now();
    // 25 keepalives at 100 ms: the stream is still open after 2.5 requestTimeoutMs (the timeout bounds receiving the request only).
    await client.events.until((items) => items.filter((e) => e.comment === 'keepalive').length >= 25, '25 keepalives');
    expect(Date.now() - opened).toBeGreaterThanOrEqual(2_400);
    expect(client.lifecycle()).toEqual([]);
    client.close();
    await until('the tail to stop', tails, (n) => n === 0, 10_000);
  });

  it('refuses a stream over the limit with 503, and bad filters with 400 naming the field', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => SseClient.open(`${stack.url}/v1/events`)));
    expect(clients.map((c) => c.status)).toEqual([200, 200, 200]);
    const over = await fetch(`${stack.url}/v1/events`);
    expect([over.status, over.headers.get('retry-after')]).toEqual([503, '5']);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    expect(await tails()).toBe(3);
    for (const c of clients) c.close();
    await until('the tails to stop', tails, (n) => n === 0, 10_000);
    const bad = await fetch(`${stack.url}/v1/events?types=step.exploded`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('query.types');
    const badId = await fetch(`${stack.url}/v1/events`, { headers: { 'last-event-id': 'abc' } });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(await badId.json())).toContain('headers.Last-Event-ID');
  });

  it('ends the answer when its tail ends by itself (the lifecycle stream went away), so the client resumes', async () => {
    const client = await SseClient.open(`${stack.url}/v1/events`);
    await client.events.until((items) => items.some((e) => e.comment === 'connected'), 'the stream to open');
    await stack.transport.streams.remove(stack.client.names.streams.lifecycle);
    await within(client.ended, 20_000, 'the answer to end');
    await ensureStreams(stack.transport, stack.client.names);
    // The metrics tail comes back on its own (within a second); no event stream's tail does.
    await until('the metrics tail back and no other', tails, (n) => n === 0, 10_000);
    const again = await SseClient.open(`${stack.url}/v1/events`);
    expect(again.status).toBe(200);
    again.close();
  });

  it('ends open streams when the gateway closes and stops their tails', async () => {
    const client = await SseClient.open(`${stack.url}/v1/events`);
    await client.events.until((items) => items.some((e) => e.comment === 'connected'), 'the stream to open');
    expect(await tails()).toBe(1);
    await stack.gateway.close();
    metricsTail = 0;
    await until('the tails to stop', tails, (n) => n === 0, 10_000);
  });
});
