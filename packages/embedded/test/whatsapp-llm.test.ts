/**
 * `squadflow start`'s catalog with WHATSAPP_LLM_* set: seed 004's
 * lead_conversation answers through the model (a local stand-in that checks
 * the request), and the next message of the same lead carries the history.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionView } from '@squadflow/engine';
import { DEFAULT_SYSTEM_PROMPT_FILE, listWhatsAppOutbox, loadSystemPrompt, seedWorkflows } from '@squadflow/squads/catalog';
import { loadCatalog, TestEnvironment } from '../src/index.ts';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: { model: string; max_tokens: number; messages: Array<{ role: string; content: string }> };
}

/** An OpenAI-compatible stand-in on port 0: records each request and answers "resposta <n>". */
async function standIn() {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Seen['body'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          model: 'stand-in-1',
          choices: [{ message: { role: 'assistant', content: `resposta ${seen.length}` } }],
          usage: { prompt_tokens: 50, completion_tokens: 5, total_tokens: 55 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { seen, baseUrl, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

const answer = (view: ExecutionView) => view.steps.find((s) => s.name === 'answer_message')!.output;

describe('the embedded catalog with a model configured', () => {
  it('lead_conversation answers through the model, and the next message carries the first exchange', async () => {
    const stand = await standIn();
    cleanup.push(stand.stop);
    const env = { WHATSAPP_LLM_API_KEY: 'sk-embedded-test', WHATSAPP_LLM_BASE_URL: stand.baseUrl, WHATSAPP_LLM_MODEL: 'stand-in' };
    const e = await TestEnvironment.create({
      squads: async (transport, prefix) => (await loadCatalog({ transport, prefix, env })).squads,
      workflows: seedWorkflows(),
    });
    cleanup.push(() => e.close());

    const first = await e.client.trigger('lead_conversation', { phone_number: '5581977776666', name: 'Ana', message: { text: 'oi' } });
    expect(answer(await e.runUntil(first, ['waiting']))).toMatchObject({
      text: 'resposta 1',
      answered_by: 'llm',
      model: 'stand-in-1',
      usage: { total_tokens: 55 },
    });
    await e.client.signal('ai_conversation_5581977776666', { message_id: 'wamid.2', from: '5581977776666', type: 'text', text: 'Recife' });
    await e.runUntil(first);
    const [next] = (await e.client.listExecutions({ workflow: 'lead_conversation' })).filter((x) => x.executionId !== first);
    expect(answer(await e.runUntil(next!.executionId, ['waiting']))).toMatchObject({ text: 'resposta 2', answered_by: 'llm' });

    const prompt = await loadSystemPrompt(DEFAULT_SYSTEM_PROMPT_FILE);
    expect(stand.seen.map((s) => s.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    expect(stand.seen[0]!.headers['authorization']).toBe('Bearer sk-embedded-test');
    expect(stand.seen[1]!.body).toEqual({
      model: 'stand-in',
      max_tokens: 300,
      messages: [
        { role: 'system', content: prompt },
        { role: 'system', content: 'Nome do lead: Ana' },
        { role: 'user', content: 'oi' },
        { role: 'assistant', content: 'resposta 1' },
        { role: 'user', content: 'Recife' },
      ],
    });
    expect((await listWhatsAppOutbox(e.transport, 'sqf', { phone: '5581977776666' })).map((m) => m.text).sort()).toEqual([
      'resposta 1',
      'resposta 2',
    ]);
  });
});
