import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SquadflowError } from '@squadflow/shared';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYSTEM_PROMPT_FILE, loadSystemPrompt, readLlmEnv, wantsLlm } from '../../src/catalog/index.ts';

const KEY = 'sk-secret-do-not-print';

function failure(fn: () => unknown): SquadflowError {
  try {
    fn();
  } catch (err) {
    return err as SquadflowError;
  }
  throw new Error('expected a failure');
}

describe('WhatsApp LLM environment', () => {
  it('asks for the model only when a WHATSAPP_LLM_* variable is set (empty ones count as unset)', () => {
    expect(wantsLlm({})).toBe(false);
    expect(wantsLlm({ WHATSAPP_LLM_API_KEY: '', WHATSAPP_TOKEN: 'x' })).toBe(false);
    expect(wantsLlm({ WHATSAPP_LLM_MODEL: 'gpt-4o' })).toBe(true);
  });

  it('fills in the documented defaults around the key', () => {
    expect(readLlmEnv({ WHATSAPP_LLM_API_KEY: KEY })).toEqual({
      client: {
        baseUrl: 'https://api.openai.com/v1',
        apiKey: KEY,
        model: 'gpt-4o-mini',
        maxTokens: 300,
        timeoutMs: 10_000,
        maxRetries: 2,
        retryDelayMs: 500,
      },
      systemPromptFile: DEFAULT_SYSTEM_PROMPT_FILE,
      historyTurns: 10,
    });
  });

  it('reads every setting, and trims the slash off the base URL', () => {
    const settings = readLlmEnv({
      WHATSAPP_LLM_API_KEY: KEY,
      WHATSAPP_LLM_BASE_URL: 'http://127.0.0.1:11434/v1/',
      WHATSAPP_LLM_MODEL: 'llama3.1:8b',
      WHATSAPP_LLM_MAX_TOKENS: '200',
      WHATSAPP_LLM_TIMEOUT: '4s',
      WHATSAPP_LLM_MAX_RETRIES: '0',
      WHATSAPP_LLM_RETRY_DELAY: '1s',
      WHATSAPP_LLM_SYSTEM_PROMPT_FILE: '/etc/squadflow/prompt.md',
      WHATSAPP_LLM_HISTORY_TURNS: '4',
    });
    expect(settings).toEqual({
      client: {
        baseUrl: 'http://127.0.0.1:11434/v1',
        apiKey: KEY,
        model: 'llama3.1:8b',
        maxTokens: 200,
        timeoutMs: 4_000,
        maxRetries: 0,
        retryDelayMs: 1_000,
      },
      systemPromptFile: '/etc/squadflow/prompt.md',
      historyTurns: 4,
    });
  });

  it('names each bad variable, and never prints the key', () => {
    const err = failure(() =>
      readLlmEnv({
        WHATSAPP_LLM_API_KEY: KEY,
        WHATSAPP_LLM_BASE_URL: 'ftp://example.com',
        WHATSAPP_LLM_MAX_TOKENS: 'lots',
        WHATSAPP_LLM_TIMEOUT: 'soon',
        WHATSAPP_LLM_MAX_RETRIES: '9',
        WHATSAPP_LLM_HISTORY_TURNS: '-1',
      }),
    );
    expect(err).toBeInstanceOf(SquadflowError);
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'WHATSAPP_LLM_BASE_URL',
      'WHATSAPP_LLM_HISTORY_TURNS',
      'WHATSAPP_LLM_MAX_RETRIES',
      'WHATSAPP_LLM_MAX_TOKENS',
      'WHATSAPP_LLM_TIMEOUT',
    ]);
    expect(JSON.stringify(err.issues) + err.message).not.toContain(KEY);
  });

  it('requires the key once another WHATSAPP_LLM_* variable is set', () => {
    const err = failure(() => readLlmEnv({ WHATSAPP_LLM_MODEL: 'gpt-4o' }));
    expect(err.issues).toEqual([{ path: 'WHATSAPP_LLM_API_KEY', message: 'required once any WHATSAPP_LLM_* variable is set' }]);
  });

  it('ships a Portuguese default prompt, and a missing or empty prompt file fails naming WHATSAPP_LLM_SYSTEM_PROMPT_FILE', async () => {
    expect(await loadSystemPrompt(DEFAULT_SYSTEM_PROMPT_FILE)).toMatch(/conta de luz/);
    const dir = await mkdtemp(join(tmpdir(), 'sqf-llm-'));
    try {
      await writeFile(join(dir, 'empty.md'), '  \n');
      for (const path of [join(dir, 'missing.md'), join(dir, 'empty.md')]) {
        await expect(loadSystemPrompt(path)).rejects.toMatchObject({
          code: 'INVALID_CONFIG',
          issues: [{ path: 'WHATSAPP_LLM_SYSTEM_PROMPT_FILE' }],
        });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
