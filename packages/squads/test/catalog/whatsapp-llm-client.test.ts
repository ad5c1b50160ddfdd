/**
 * The chat-completions adapter against a local stand-in that checks what it
 * receives. Timeouts and backoff run on a manual clock: the test moves time
 * and reads the delays the client asked for, it never waits for them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffMs,
  ChatCompletionsClient,
  LlmError,
  MAX_BACKOFF_MS,
  parseRetryAfter,
  type ChatCompletionsConfig,
} from '../../src/catalog/index.ts';
import { apiError, ChatCompletionsStandIn, completion } from './chat-completions-stand-in.ts';
import { WatchedClock } from './watched-clock.ts';

const API_KEY = 'sk-test-0123456789';

let stand: ChatCompletionsStandIn;
let clock: WatchedClock;
beforeEach(async () => {
  stand = await new ChatCompletionsStandIn().start();
  clock = new WatchedClock();
});
afterEach(async () => {
  await stand.stop();
});

function client(overrides: Partial<ChatCompletionsConfig> = {}): ChatCompletionsClient {
  const config: ChatCompletionsConfig = {
    baseUrl: stand.baseUrl,
    apiKey: API_KEY,
    model: 'gpt-4o-mini',
    maxTokens: 300,
    timeoutMs: 10_000,
    maxRetries: 2,
    retryDelayMs: 500,
    ...overrides,
  };
  // random() = 1: the jittered backoff is its full value, so the test knows it.
  return new ChatCompletionsClient(config, { clock, random: () => 1 });
}

const MESSAGES = [
  { role: 'system' as const, content: 'Você qualifica leads de energia.' },
  { role: 'user' as const, content: 'oi' },
  { role: 'assistant' as const, content: 'Olá! Em que cidade fica o imóvel?' },
  { role: 'user' as const, content: 'Recife, PE' },
];

describe('ChatCompletionsClient', () => {
  it('posts model, max_tokens and the messages in order to <base>/chat/completions with the bearer key', async () => {
    stand.answer({ status: 200, body: completion('Qual é a sua distribuidora?') });
    const result = await client().complete(MESSAGES);

    expect(result).toEqual({
      content: 'Qual é a sua distribuidora?',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { prompt_tokens: 120, completion_tokens: 18, total_tokens: 138 },
      attempts: 1,
    });
    expect(stand.requests).toHaveLength(1);
    const [request] = stand.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({ model: 'gpt-4o-mini', max_tokens: 300, messages: MESSAGES });
  });

  it('gives up on a call that never answers after the timeout, backs off, and retries', async () => {
    stand.answer({ hang: true, status: 0 });
    const pending = client().complete(MESSAGES);
    await stand.received.count(1);
    expect(clock.delays.items).toEqual([10_000]); // the first call's timeout

    await clock.advance(10_000);
    await clock.delays.count(2);
    expect(clock.delays.items[1]).toBe(500); // the first backoff
    await clock.advance(499);
    expect(stand.requests).toHaveLength(1);
    await clock.advance(1);

    await expect(pending).resolves.toMatchObject({ content: 'resposta 2', attempts: 2 });
    expect(stand.requests).toHaveLength(2);
    expect(stand.requests[1]!.body).toEqual(stand.requests[0]!.body);
  });

  it('honours Retry-After on a 429 instead of its own backoff, then succeeds', async () => {
    const start = clock.now();
    stand.answer({ status: 429, headers: { 'retry-after': '3' }, body: apiError('Rate limit reached for gpt-4o-mini', 'requests') });
    const pending = client().complete(MESSAGES);
    await stand.received.count(1);
    await clock.delays.count(2);

    expect(clock.delays.items).toEqual([10_000, 3_000]);
    await clock.advance(2_999);
    expect(clock.nextDue()).toBe(start + 3_000); // still waiting: no second call before Retry-After
    expect(stand.requests).toHaveLength(1);
    await clock.advance(1);

    await expect(pending).resolves.toMatchObject({ content: 'resposta 2', attempts: 2 });
    expect(stand.requests).toHaveLength(2);
  });

  it('retries a 5xx with doubling backoff and stops after its retries with LLM_UNAVAILABLE', async () => {
    stand.answer(...Array.from({ length: 3 }, () => ({ status: 503, body: apiError('The server is overloaded', 'server_error') })));
    const pending = client().complete(MESSAGES);
    const failure = pending.catch((err: unknown) => err);
    await clock.delays.count(2);
    await clock.advance(500);
    await clock.delays.count(4);
    await clock.advance(1_000);

    const err = (await failure) as LlmError;
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ code: 'LLM_UNAVAILABLE', status: 503, attempts: 3, retryable: true });
    expect(err.message).toContain('The server is overloaded');
    expect(clock.delays.items).toEqual([10_000, 500, 10_000, 1_000, 10_000]);
    expect(stand.requests).toHaveLength(3);
  });

  it('does not retry another 4xx, and the error names the status and the message but never the key', async () => {
    stand.answer({ status: 401, body: apiError('Incorrect API key provided: sk-te*******6789.', 'invalid_api_key') });
    const err = (await client()
      .complete(MESSAGES)
      .catch((e: unknown) => e)) as LlmError;

    expect(err).toMatchObject({ code: 'LLM_REJECTED', status: 401, attempts: 1, retryable: false });
    expect(err.message).toContain('401');
    expect(err.message).not.toContain(API_KEY);
    expect(stand.requests).toHaveLength(1);
  });

  it('refuses a 2xx without a reply (LLM_BAD_RESPONSE, not retried)', async () => {
    stand.answer({ status: 200, body: { choices: [{ message: { role: 'assistant', content: '' } }] } });
    await expect(client().complete(MESSAGES)).rejects.toMatchObject({ code: 'LLM_BAD_RESPONSE', attempts: 1 });
    expect(stand.requests).toHaveLength(1);
  });

  it('does not wait for a retry that would pass the deadline, and shortens the last call to fit it', async () => {
    stand.answer({ status: 429, headers: { 'retry-after': '60' }, body: apiError('Rate limit reached') });
    const err = (await client()
      .complete(MESSAGES, { deadline: clock.now() + 20_000 })
      .catch((e: unknown) => e)) as LlmError;
    expect(err).toMatchObject({ code: 'LLM_RATE_LIMITED', attempts: 1, retryAfterMs: 60_000 });
    expect(err.message).toContain('would pass the step deadline');

    const pending = client().complete(MESSAGES, { deadline: clock.now() + 4_000 });
    await clock.delays.count(2);
    expect(clock.delays.items[1]).toBe(4_000); // the call's timeout is cut to the time left
    await expect(pending).resolves.toMatchObject({ attempts: 1 });
  });

  it("rethrows the step's own abort as it is, without retrying", async () => {
    stand.answer({ hang: true, status: 0 });
    const step = new AbortController();
    const pending = client().complete(MESSAGES, { signal: step.signal });
    await stand.received.count(1);
    step.abort(new DOMException('step deadline passed', 'TimeoutError'));

    const err = await pending.catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(clock.pending).toBe(0);
    expect(stand.requests).toHaveLength(1);
  });
});

describe('retry timing', () => {
  it('doubles the backoff from the first delay up to its cap, half of it jittered', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 500, () => 1))).toEqual([500, 1_000, 2_000, 4_000, 8_000, MAX_BACKOFF_MS]);
    expect(backoffMs(2, 500, () => 0)).toBe(500);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
