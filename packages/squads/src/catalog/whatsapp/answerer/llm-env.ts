import { readFile } from 'node:fs/promises';
import { DurationSchema, durationMs, parseDuration, SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';
import { dataFile } from '../../common/data-file.ts';
import type { ChatCompletionsConfig } from './chat-completions-client.ts';

/** OpenAI's API; any OpenAI-compatible server works (`WHATSAPP_LLM_BASE_URL`). */
export const DEFAULT_LLM_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';
/** Seed 004's energy-lead qualifier prompt, in Portuguese, shipped in packages/squads/data/. */
export const DEFAULT_SYSTEM_PROMPT_FILE = dataFile('whatsapp_llm_system_prompt.md');

/**
 * The WhatsApp squad's model settings (docs/llm.md):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | WHATSAPP_LLM_API_KEY | secret; setting any WHATSAPP_LLM_* variable asks for the LLM answerer, and then this one is required | (unset: rule-based answers) |
 * | WHATSAPP_LLM_BASE_URL | OpenAI-compatible API base (`<base>/chat/completions`) | https://api.openai.com/v1 |
 * | WHATSAPP_LLM_MODEL | model name | gpt-4o-mini |
 * | WHATSAPP_LLM_MAX_TOKENS | `max_tokens` of each reply | 300 |
 * | WHATSAPP_LLM_TIMEOUT | per HTTP call | 10s |
 * | WHATSAPP_LLM_MAX_RETRIES | calls after the first (429, 5xx, timeouts, network) | 2 |
 * | WHATSAPP_LLM_RETRY_DELAY | first backoff, doubled per retry (a `Retry-After` wins) | 500ms |
 * | WHATSAPP_LLM_SYSTEM_PROMPT_FILE | UTF-8 file with the system prompt | data/whatsapp_llm_system_prompt.md |
 * | WHATSAPP_LLM_HISTORY_TURNS | exchanges per phone kept in KV and sent back (0: none kept) | 10 |
 */
const LlmEnvSchema = z.object({
  WHATSAPP_LLM_API_KEY: z.string({
    error: (i) => (i.input === undefined ? 'required once any WHATSAPP_LLM_* variable is set' : 'must be a string'),
  }),
  WHATSAPP_LLM_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(DEFAULT_LLM_BASE_URL),
  WHATSAPP_LLM_MODEL: z
    .string()
    .regex(/^[\w.:/@-]{1,200}$/, 'must be a model name like gpt-4o-mini')
    .default(DEFAULT_LLM_MODEL),
  WHATSAPP_LLM_MAX_TOKENS: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(16)
    .max(4096)
    .default(300),
  WHATSAPP_LLM_TIMEOUT: DurationSchema.default('10s').refine((v) => (parseDuration(v) ?? Infinity) >= 100, 'must be at least 100ms'),
  WHATSAPP_LLM_MAX_RETRIES: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0).max(5).default(2),
  WHATSAPP_LLM_RETRY_DELAY: DurationSchema.default('500ms'),
  WHATSAPP_LLM_SYSTEM_PROMPT_FILE: z.string().min(1).default(DEFAULT_SYSTEM_PROMPT_FILE),
  WHATSAPP_LLM_HISTORY_TURNS: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0).max(50).default(10),
});

/** Everything the LLM answerer is built from. */
export interface LlmSettings {
  client: ChatCompletionsConfig;
  systemPromptFile: string;
  historyTurns: number;
}

type Env = Record<string, string | undefined>;

const present = (env: Env): Env => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));

/** True when any WHATSAPP_LLM_* variable is set (empty counts as unset): the operator meant to use a model. */
export function wantsLlm(env: Env): boolean {
  return Object.keys(present(env)).some((name) => name.startsWith('WHATSAPP_LLM_'));
}

/**
 * Reads and validates the model settings. Throws `INVALID_CONFIG` with one
 * issue per bad variable, named by the variable and never showing its value.
 */
export function readLlmEnv(env: Env = process.env): LlmSettings {
  const parsed = LlmEnvSchema.safeParse(present(env));
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid WhatsApp LLM environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  return {
    client: {
      baseUrl: e.WHATSAPP_LLM_BASE_URL.replace(/\/+$/, ''),
      apiKey: e.WHATSAPP_LLM_API_KEY,
      model: e.WHATSAPP_LLM_MODEL,
      maxTokens: e.WHATSAPP_LLM_MAX_TOKENS,
      timeoutMs: durationMs(e.WHATSAPP_LLM_TIMEOUT),
      maxRetries: e.WHATSAPP_LLM_MAX_RETRIES,
      retryDelayMs: durationMs(e.WHATSAPP_LLM_RETRY_DELAY),
    },
    systemPromptFile: e.WHATSAPP_LLM_SYSTEM_PROMPT_FILE,
    historyTurns: e.WHATSAPP_LLM_HISTORY_TURNS,
  };
}

/** Reads the system prompt; an unreadable or empty file fails startup naming `WHATSAPP_LLM_SYSTEM_PROMPT_FILE`. */
export async function loadSystemPrompt(path: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new SquadflowError(
      'INVALID_CONFIG',
      'cannot read the WhatsApp LLM system prompt',
      [
        {
          path: 'WHATSAPP_LLM_SYSTEM_PROMPT_FILE',
          message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        },
      ],
      { cause: err },
    );
  }
  if (text === '') {
    throw new SquadflowError('INVALID_CONFIG', 'empty WhatsApp LLM system prompt', [
      { path: 'WHATSAPP_LLM_SYSTEM_PROMPT_FILE', message: `${path} is empty` },
    ]);
  }
  return text;
}
