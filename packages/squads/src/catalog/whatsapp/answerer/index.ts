/** The answerer port of `answer_message` and its two adapters (rules, OpenAI-compatible model); docs/llm.md. */
export {
  AnswerProvenanceSchema,
  type AnswerContext,
  type AnswerProvenance,
  type AnswerRequest,
  type AnswerResult,
  type Answerer,
} from './answerer.ts';
export { RulesAnswerer } from './rules-answerer.ts';
export { describeMessage, LlmAnswerer, SEND_RESERVE_MS, type LlmAnswererDeps } from './llm-answerer.ts';
export {
  ChatCompletionsClient,
  TokenUsageSchema,
  type ChatCompletion,
  type ChatCompletionsConfig,
  type ChatMessage,
  type CompletionOptions,
  type TokenUsage,
} from './chat-completions-client.ts';
export { LlmError, type LlmErrorCode } from './llm-error.ts';
export { backoffMs, MAX_BACKOFF_MS, parseRetryAfter } from './retry-timing.ts';
export { ConversationHistory, HISTORY_TTL_MS, historyBucket, openConversationHistory, type Turn } from './conversation-history.ts';
export {
  DEFAULT_LLM_BASE_URL,
  DEFAULT_LLM_MODEL,
  DEFAULT_SYSTEM_PROMPT_FILE,
  loadSystemPrompt,
  readLlmEnv,
  wantsLlm,
  type LlmSettings,
} from './llm-env.ts';
export { selectAnswerer } from './select-answerer.ts';
