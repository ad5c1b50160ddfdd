/**
 * `answer_message` with the LLM answerer: what reaches the model (prompt
 * file, lead name, history in order), what the output records, the history
 * per phone in KV (bounded, compare-and-set), and the fallback to the rules.
 * KV runs on the memory adapter and on NATS.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { kvBounds, withNatsTransport } from '@squadflow/transport/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChatCompletionsClient,
  ConversationHistory,
  createSeedSquads,
  createWhatsAppSquad,
  HISTORY_TTL_MS,
  historyBucket,
  listWhatsAppOutbox,
  LlmAnswerer,
  openConversationHistory,
  openOutboxClient,
  selectAnswerer,
} from '../../src/catalog/index.ts';
import type { SquadDefinition } from '../../src/define-squad.ts';
import { apiError, ChatCompletionsStandIn, completion } from './chat-completions-stand-in.ts';
import { fakeContext, run, runThroughSquad, testPrefix } from './support.ts';
import { WatchedClock } from './watched-clock.ts';

const KEY = 'sk-test-answerer-key';
const PROMPT = 'Você é a assistente de teste. Responda em uma frase.';
const PHONE_A = '+55 81 97777-6666';
const PHONE_B = '+55 11 95555-4444';

let stand: ChatCompletionsStandIn;
let dir: string;
let promptFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqf-llm-answerer-'));
  promptFile = join(dir, 'prompt.md');
  await writeFile(promptFile, `${PROMPT}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  stand = await new ChatCompletionsStandIn().start();
});
afterEach(async () => {
  await stand.stop();
});

const llmEnv = (extra: Record<string, string> = {}) => ({
  WHATSAPP_LLM_API_KEY: KEY,
  WHATSAPP_LLM_BASE_URL: stand.baseUrl,
  WHATSAPP_LLM_MODEL: 'gpt-4o-mini',
  WHATSAPP_LLM_MAX_TOKENS: '120',
  WHATSAPP_LLM_SYSTEM_PROMPT_FILE: promptFile,
  ...extra,
});

type Target = () => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>;
const targets: Array<[string, Target]> = [
  [
    'memory',
    async () => {
      const transport = createMemoryTransport();
      return { transport, prefix: testPrefix(), cleanup: () => transport.close() };
    },
  ],
  ['nats', () => withNatsTransport('llm')],
];

interface AnswerOutput {
  text: string;
  intent: string;
  handoff: boolean;
  answered_by: string;
  model?: string;
  usage?: unknown;
  fallback_reason?: string;
}

describe.each(targets)('answer_message with a model (%s)', (_kind, make) => {
  let opened: Awaited<ReturnType<Target>> | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });
  async function squad(env: Record<string, string>): Promise<{ t: Transport; prefix: string; squad: SquadDefinition }> {
    opened = await make();
    const { transport: t, prefix } = opened;
    const answerer = await selectAnswerer(t, prefix, env);
    return { t, prefix, squad: createWhatsAppSquad({ client: await openOutboxClient(t, prefix), answerer }) };
  }
  const answer = (def: SquadDefinition, phone: string, text: string, name?: string) =>
    run(
      def,
      'answer_message',
      { phone_number: phone, ...(name ? { name } : {}), message: { text } },
      fakeContext(),
    ) as Promise<AnswerOutput>;

  it('sends the prompt file, the lead name and the history in order, keeps each phone apart, and keeps the last N turns', async () => {
    const { t, prefix, squad: def } = await squad(llmEnv({ WHATSAPP_LLM_HISTORY_TURNS: '2' }));
    await answer(def, PHONE_A, 'oi', 'Ana Souza');
    await answer(def, PHONE_A, 'moro em Recife', 'Ana Souza');
    await answer(def, PHONE_B, 'olá');
    await answer(def, PHONE_A, 'a conta vem uns 300 reais', 'Ana Souza');
    const last = await answer(def, PHONE_A, 'é residencial', 'Ana Souza');

    const system = { role: 'system', content: PROMPT };
    const name = { role: 'system', content: 'Nome do lead: Ana Souza' };
    const u = (content: string) => ({ role: 'user', content });
    const a = (content: string) => ({ role: 'assistant', content });
    expect(stand.requests.map((r) => r.body.messages)).toEqual([
      [system, name, u('oi')],
      [system, name, u('oi'), a('resposta 1'), u('moro em Recife')],
      [system, u('olá')],
      [system, name, u('oi'), a('resposta 1'), u('moro em Recife'), a('resposta 2'), u('a conta vem uns 300 reais')],
      // Two turns kept: "oi" fell out.
      [system, name, u('moro em Recife'), a('resposta 2'), u('a conta vem uns 300 reais'), a('resposta 4'), u('é residencial')],
    ]);
    for (const r of stand.requests) expect(r.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 120 });
    expect(last).toMatchObject({ text: 'resposta 5', answered_by: 'llm', model: 'gpt-4o-mini-2024-07-18' });

    const history = await openConversationHistory(t, prefix, 2);
    expect((await history.turns(PHONE_A)).map((turn) => [turn.user, turn.assistant, turn.answered_by])).toEqual([
      ['a conta vem uns 300 reais', 'resposta 4', 'llm'],
      ['é residencial', 'resposta 5', 'llm'],
    ]);
    expect((await history.turns(PHONE_B)).map((turn) => turn.user)).toEqual(['olá']);
    expect(await kvBounds(t, historyBucket(prefix))).toEqual({ ttlMs: HISTORY_TTL_MS });
    const sent = await listWhatsAppOutbox(t, prefix, { phone: PHONE_A });
    expect(sent.map((m) => m.text).sort()).toEqual(['resposta 1', 'resposta 2', 'resposta 4', 'resposta 5']);
  });

  it('two replicas appending to one phone at once lose no turn (compare-and-set)', async () => {
    opened = await make();
    const [one, two] = [
      await openConversationHistory(opened.transport, opened.prefix, 50),
      await openConversationHistory(opened.transport, opened.prefix, 50),
    ];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? one : two).append(PHONE_A, {
          id: `exec_${i}.answer_message`,
          user: `m${i}`,
          assistant: `r${i}`,
          answered_by: 'llm',
          at: i,
        }),
      ),
    );
    const turns = await one.turns(PHONE_A);
    expect(turns.map((turn) => turn.user).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
  });

  it('a retried step replaces its own turn instead of adding one', async () => {
    const { t, prefix, squad: def } = await squad(llmEnv());
    const first = fakeContext({ executionId: 'exec_retry', step: 'answer_message', attempt: 1 });
    const second = fakeContext({ executionId: 'exec_retry', step: 'answer_message', attempt: 2 });
    await run(def, 'answer_message', { phone_number: PHONE_A, message: { text: 'oi' } }, first);
    await run(def, 'answer_message', { phone_number: PHONE_A, message: { text: 'oi' } }, second);
    const turns = await (await openConversationHistory(t, prefix, 10)).turns(PHONE_A);
    expect(turns.map((turn) => [turn.id, turn.assistant])).toEqual([['exec_retry.answer_message', 'resposta 2']]);
    expect(stand.requests[1]!.body.messages).toHaveLength(2); // the retry did not see its own first try as history
  });

  it('falls back to the rules when the model refuses, says why, and never shows the key', async () => {
    const { t, prefix, squad: def } = await squad(llmEnv());
    stand.answer({ status: 400, body: apiError("This model's maximum context length is 128000 tokens.") });
    const out = await answer(def, PHONE_A, 'oi', 'Ana');

    expect(out).toMatchObject({ text: 'Olá, Ana! Como posso ajudar?', intent: 'greeting', answered_by: 'rules' });
    expect(out.fallback_reason).toMatch(/^LLM_REJECTED: chat completions answered 400: This model's maximum context length/);
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(out.model).toBeUndefined();
    const [turn] = await (await openConversationHistory(t, prefix, 10)).turns(PHONE_A);
    expect(turn).toMatchObject({ user: 'oi', assistant: 'Olá, Ana! Como posso ajudar?', answered_by: 'rules' });
  });

  it('answers an opt-out with the rules without calling the model, and forgets the history', async () => {
    const { t, prefix, squad: def } = await squad(llmEnv());
    await answer(def, PHONE_A, 'oi');
    const out = await answer(def, PHONE_A, 'quero parar de receber');

    expect(stand.requests).toHaveLength(1);
    expect(out).toMatchObject({ intent: 'opt_out', answered_by: 'rules', fallback_reason: expect.stringMatching(/^RULES_OPT_OUT/) });
    expect(await (await openConversationHistory(t, prefix, 10)).turns(PHONE_A)).toEqual([]);
  });
});

describe('answer_message through the squad runtime', () => {
  let transport: Transport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
  });

  it('with WHATSAPP_LLM_* set, createSeedSquads gives the squad the model; the reply records answered_by, model and usage', async () => {
    transport = createMemoryTransport();
    const prefix = testPrefix();
    const defs = await createSeedSquads({ transport, prefix, env: llmEnv() });
    const whatsapp = defs.find((d) => d.name === 'whatsapp')!;
    stand.answer({ status: 200, body: completion('Olá, Ana! Em qual cidade fica o imóvel?') });
    const reply = await runThroughSquad(transport, prefix, whatsapp, 'answer_message', {
      phone_number: PHONE_A,
      name: 'Ana',
      message: { id: 'wamid.1', type: 'text', text: 'quero saber do desconto' },
    });

    expect(reply).toMatchObject({
      ok: true,
      output: {
        to: '5581977776666',
        channel: 'outbox',
        text: 'Olá, Ana! Em qual cidade fica o imóvel?',
        intent: 'pricing',
        handoff: false,
        answered_by: 'llm',
        model: 'gpt-4o-mini-2024-07-18',
        usage: { prompt_tokens: 120, completion_tokens: 18, total_tokens: 138 },
      },
    });
    expect(stand.requests[0]!.headers['authorization']).toBe(`Bearer ${KEY}`);
    const [sent] = await listWhatsAppOutbox(transport, prefix, { phone: PHONE_A });
    expect(sent).toMatchObject({ text: 'Olá, Ana! Em qual cidade fica o imóvel?', purpose: 'answer_pricing' });
  });

  it('without WHATSAPP_LLM_* the rules answer, nothing is asked of a model and no history bucket is made', async () => {
    transport = createMemoryTransport();
    const prefix = testPrefix();
    const whatsapp = (await createSeedSquads({ transport, prefix, env: { WHATSAPP_LLM_API_KEY: '' } })).find((d) => d.name === 'whatsapp')!;
    const reply = await runThroughSquad(transport, prefix, whatsapp, 'answer_message', { phone_number: PHONE_A, message: { text: 'oi' } });

    expect(reply).toMatchObject({ ok: true, output: { intent: 'greeting', answered_by: 'rules' } });
    expect((reply as { output: object }).output).not.toHaveProperty('fallback_reason');
    expect(stand.requests).toHaveLength(0);
    expect(await kvBounds(transport, historyBucket(prefix))).toBeNull();
  });

  it('a half-configured model fails startup naming WHATSAPP_LLM_API_KEY', async () => {
    transport = createMemoryTransport();
    await expect(createSeedSquads({ transport, prefix: testPrefix(), env: { WHATSAPP_LLM_MODEL: 'gpt-4o' } })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      issues: [{ path: 'WHATSAPP_LLM_API_KEY' }],
    });
  });
});

describe('LlmAnswerer after failed retries', () => {
  it('answers with the rules once the timeouts and 5xx have used up the retries', async () => {
    const clock = new WatchedClock();
    const client = new ChatCompletionsClient(
      { baseUrl: stand.baseUrl, apiKey: KEY, model: 'gpt-4o-mini', maxTokens: 100, timeoutMs: 2_000, maxRetries: 1, retryDelayMs: 1_000 },
      { clock, random: () => 1 },
    );
    const answerer = new LlmAnswerer({ client, systemPrompt: PROMPT, clock });
    stand.answer({ hang: true, status: 0 }, { status: 502, body: apiError('Bad gateway') });
    const pending = answerer.answer(
      { phone: PHONE_A, name: 'Ana', message: { text: 'bom dia' } },
      fakeContext({ deadline: clock.now() + 30_000 }),
    );
    await stand.received.count(1);
    await clock.advance(2_000); // the first call times out
    await clock.delays.count(2);
    await clock.advance(1_000); // the backoff

    const result = await pending;
    expect(result).toMatchObject({ reply: 'Olá, Ana! Como posso ajudar?', intent: 'greeting', answered_by: 'rules' });
    expect(result.fallback_reason).toMatch(/^LLM_UNAVAILABLE: chat completions answered 502: Bad gateway/);
    expect(clock.delays.items.slice(0, 3)).toEqual([2_000, 1_000, 2_000]);
    expect(stand.requests).toHaveLength(2);
  });
});

describe('ConversationHistory keys', () => {
  it('keys a history by the E.164 digits, so every format of one number is one conversation', () => {
    expect(ConversationHistory.key('+55 (81) 97777-6666')).toBe('5581977776666');
    expect(ConversationHistory.key('0055 81 97777 6666')).toBe('5581977776666');
    expect(() => ConversationHistory.key('not a phone')).toThrow(/invalid phone number/);
  });
});
