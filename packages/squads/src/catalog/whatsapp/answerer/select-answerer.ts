import type { Transport } from '@squadflow/transport';
import type { Answerer } from './answerer.ts';
import { ChatCompletionsClient } from './chat-completions-client.ts';
import { openConversationHistory } from './conversation-history.ts';
import { LlmAnswerer } from './llm-answerer.ts';
import { loadSystemPrompt, readLlmEnv, wantsLlm } from './llm-env.ts';
import { RulesAnswerer } from './rules-answerer.ts';

type Env = Record<string, string | undefined>;

/**
 * The answerer the environment asks for, as `selectWhatsAppClient` chooses
 * the WhatsApp client: the LLM answerer when any `WHATSAPP_LLM_*` variable
 * is set (then the settings must be valid and the prompt file readable: a
 * half-configured model fails startup rather than silently answering with
 * rules), else the rules. Only the LLM answerer opens the history bucket.
 */
export async function selectAnswerer(transport: Transport, prefix: string, env: Env = process.env): Promise<Answerer> {
  if (!wantsLlm(env)) return new RulesAnswerer();
  const settings = readLlmEnv(env);
  const systemPrompt = await loadSystemPrompt(settings.systemPromptFile);
  const history = settings.historyTurns > 0 ? await openConversationHistory(transport, prefix, settings.historyTurns) : undefined;
  const client = new ChatCompletionsClient(settings.client, { clock: transport.clock });
  return new LlmAnswerer({ client, systemPrompt, clock: transport.clock, ...(history ? { history } : {}) });
}
