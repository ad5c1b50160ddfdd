/**
 * `squadflow squad whatsapp` as its own process, on real NATS, with
 * WHATSAPP_LLM_* in its environment: seed 004's conversation answers through
 * the model (a stand-in on port 0 that checks the request), and the
 * history lands in the deployment's `whatsapp_history` bucket.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadConversation, openConversationHistory } from '@squadflow/squads/catalog';
import { deploy, type Deployment } from './support.ts';

const KEY = 'sk-process-test';
const requests: Array<{
  path: string;
  headers: IncomingHttpHeaders;
  body: { model: string; messages: Array<{ role: string; content: string }> };
}> = [];
const model = createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  req.on('end', () => {
    requests.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as (typeof requests)[number]['body'] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ model: 'stand-in-2', choices: [{ message: { role: 'assistant', content: 'Em que cidade fica o imóvel?' } }] }),
    );
  });
});

let d: Deployment;
beforeAll(async () => {
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  const squadEnv = {
    WHATSAPP_LLM_API_KEY: KEY,
    WHATSAPP_LLM_BASE_URL: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`,
    WHATSAPP_LLM_MODEL: 'stand-in',
  };
  d = await deploy('llmproc', ['whatsapp'], { seedSquads: true, squadEnv });
  await d.client.registerWorkflow(leadConversation({ replyTimeout: '1h' }));
}, 120_000);
afterAll(async () => {
  await d?.close();
  await new Promise<void>((resolve) => model.close(() => resolve()));
});

describe('the whatsapp squad process with a model configured', () => {
  it('answers through the model, records it in the step output, and keeps the turn in KV', async () => {
    const id = await d.client.trigger('lead_conversation', { phone_number: '+55 81 97777-6666', name: 'Ana', message: { text: 'oi' } });
    const view = await d.client.waitFor(id, ['waiting'], 30_000);

    expect(view.steps[0]!.output).toMatchObject({ text: 'Em que cidade fica o imóvel?', answered_by: 'llm', model: 'stand-in-2' });
    expect(view.steps[0]!.output).not.toHaveProperty('usage'); // the stand-in sent none
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe('/v1/chat/completions');
    expect(requests[0]!.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(requests[0]!.body.model).toBe('stand-in');
    expect(requests[0]!.body.messages.slice(1)).toEqual([
      { role: 'system', content: 'Nome do lead: Ana' },
      { role: 'user', content: 'oi' },
    ]);
    const turns = await (await openConversationHistory(d.transport, d.prefix, 10)).turns('5581977776666');
    expect(turns).toMatchObject([
      { id: `${id}.answer_message`, user: 'oi', assistant: 'Em que cidade fica o imóvel?', answered_by: 'llm' },
    ]);
    await d.client.cancel(id);
  });
});
