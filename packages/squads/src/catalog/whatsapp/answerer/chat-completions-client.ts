import type { Clock } from '@squadflow/transport';
import { z } from 'zod';
import { LlmError } from './llm-error.ts';
import { backoffMs, parseRetryAfter, sleepOn } from './retry-timing.ts';

/** One message of a chat: the system prompt, the lead's messages, the replies sent. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Token counts, as OpenAI-compatible APIs report them in `usage`. */
export const TokenUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.output<typeof TokenUsageSchema>;

/** What the client needs; see `readLlmEnv` for where each comes from. */
export interface ChatCompletionsConfig {
  /** API base without the trailing slash; requests go to `<baseUrl>/chat/completions`. */
  baseUrl: string;
  /** Secret: sent as `Authorization: Bearer`, never logged nor put in an error. */
  apiKey: string;
  model: string;
  maxTokens: number;
  /** Per HTTP call, body included. */
  timeoutMs: number;
  /** Calls after the first one (0: no retry). */
  maxRetries: number;
  /** First backoff; doubles per retry (see `backoffMs`). */
  retryDelayMs: number;
}

export interface CompletionOptions {
  /** The step's signal: an abort stops the call and is rethrown as it is (not an `LlmError`). */
  signal?: AbortSignal;
  /** Clock ms after which no call is started or waited for: the caller keeps time to answer otherwise. */
  deadline?: number;
}

export interface ChatCompletion {
  content: string;
  /** The model that answered, as the API names it (falls back to the one asked for). */
  model: string;
  usage?: TokenUsage;
  /** HTTP calls made, the successful one included. */
  attempts: number;
}

const ResponseSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1),
  usage: TokenUsageSchema.optional().catch(undefined),
});

/**
 * An OpenAI-compatible chat-completions API (`POST <base>/chat/completions`:
 * OpenAI, Azure OpenAI's v1 endpoint, OpenRouter, Groq, vLLM, Ollama...).
 * Each call has its own timeout; 429 (waiting `Retry-After` when given), 5xx,
 * timeouts and network errors are retried with exponential backoff, other 4xx
 * are not. Time is read from the injected clock, so tests drive timeouts and
 * backoff with a manual clock instead of waiting.
 */
export class ChatCompletionsClient {
  private readonly url: string;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(
    // Private: it holds the key, and nothing outside should be able to log it.
    private readonly config: ChatCompletionsConfig,
    deps: { clock: Clock; random?: () => number },
  ) {
    this.url = `${config.baseUrl}/chat/completions`;
    this.clock = deps.clock;
    this.random = deps.random ?? Math.random;
  }

  /** Asks for one reply; throws `LlmError` (with `attempts`) once retries are spent or not allowed. */
  async complete(messages: ChatMessage[], options: CompletionOptions = {}): Promise<ChatCompletion> {
    const body = JSON.stringify({ model: this.config.model, messages, max_tokens: this.config.maxTokens });
    for (let attempt = 1; ; attempt++) {
      const left = options.deadline === undefined ? Infinity : options.deadline - this.clock.now();
      if (left <= 0) throw new LlmError('LLM_NO_TIME_LEFT', 'no time left before the step deadline', { attempts: attempt - 1 });
      try {
        return { ...(await this.call(body, Math.min(this.config.timeoutMs, left), options.signal)), attempts: attempt };
      } catch (err) {
        if (!(err instanceof LlmError)) throw err;
        if (!err.retryable || attempt > this.config.maxRetries) throw err.withAttempts(attempt);
        const delay = err.retryAfterMs ?? backoffMs(attempt, this.config.retryDelayMs, this.random);
        if (options.deadline !== undefined && this.clock.now() + delay >= options.deadline) {
          throw err.withAttempts(attempt, ` (a retry in ${delay} ms would pass the step deadline)`);
        }
        await sleepOn(this.clock, delay, options.signal);
      }
    }
  }

  /** One HTTP call under its own timeout (a clock timer aborting the request). */
  private async call(body: string, timeoutMs: number, outer?: AbortSignal): Promise<Omit<ChatCompletion, 'attempts'>> {
    if (outer?.aborted) throw outer.reason;
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.clock.setTimer(this.clock.now() + timeoutMs, () => {
      timedOut = true;
      controller.abort(new Error(`no answer within ${timeoutMs} ms`));
    });
    const forward = (): void => controller.abort(outer!.reason);
    outer?.addEventListener('abort', forward, { once: true });
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.config.apiKey}`, 'content-type': 'application/json' },
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      if (!response.ok) throw this.httpError(response, text);
      return this.parse(text);
    } catch (err) {
      if (outer?.aborted) throw outer.reason;
      if (err instanceof LlmError) throw err;
      if (timedOut) throw new LlmError('LLM_TIMEOUT', `no answer from ${this.url} within ${timeoutMs} ms`, { cause: err });
      throw new LlmError('LLM_NETWORK', `${this.url} unreachable: ${(err as Error).message}`, { cause: err });
    } finally {
      this.clock.clearTimer(timer);
      outer?.removeEventListener('abort', forward);
    }
  }

  private httpError(response: Response, text: string): LlmError {
    const status = response.status;
    const detail = providerMessage(text);
    const message = `chat completions answered ${status}${detail ? `: ${detail}` : ''}`;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
    const details = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    if (status === 429) return new LlmError('LLM_RATE_LIMITED', message, details);
    if (status >= 500) return new LlmError('LLM_UNAVAILABLE', message, details);
    return new LlmError('LLM_REJECTED', message, details);
  }

  private parse(text: string): Omit<ChatCompletion, 'attempts'> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new LlmError('LLM_BAD_RESPONSE', 'chat completions answered 2xx with a body that is not JSON');
    }
    const parsed = ResponseSchema.safeParse(json);
    const content = parsed.success ? parsed.data.choices[0]?.message.content?.trim() : undefined;
    if (!parsed.success || !content)
      throw new LlmError('LLM_BAD_RESPONSE', 'chat completions answered 2xx without choices[0].message.content');
    const { model, usage } = parsed.data;
    return { content, model: model ?? this.config.model, ...(usage ? { usage } : {}) };
  }
}

/** The provider's `error.message` (OpenAI's envelope), cut short: it ends up in step outputs and logs. */
function providerMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
