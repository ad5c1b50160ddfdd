/** The OpenAPI document is valid OpenAPI 3.1 and describes exactly the routes that answer. */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoWorkflow, startStack, type Stack } from './support.ts';

const PLACEHOLDERS: Record<string, string> = {
  id: 'ex_placeholder',
  name: 'placeholder',
  key: 'placeholder_key',
  messageId: 'wamid.placeholder',
};

describe('OpenAPI document', () => {
  let stack: Stack;
  let document: { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; security: unknown[] }>> };

  beforeAll(async () => {
    stack = await startStack({
      kind: 'memory',
      workflows: [echoWorkflow()],
      config: { whatsapp: { appSecret: 'secret', verifyToken: 'verify', conversationWorkflow: 'lead_conversation' } },
    });
    document = (await stack.gateway.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(() => stack?.close());

  it('validates as OpenAPI 3.1 with a real parser', async () => {
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('lists every route of the issue, with the bearer scope each needs', () => {
    const operations = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /v1/workflows/{name}/executions',
        'GET /v1/executions/{id}',
        'GET /v1/executions',
        'POST /v1/executions/{id}/cancel',
        'POST /v1/executions/{id}/pause',
        'POST /v1/executions/{id}/resume',
        'POST /v1/executions/{id}/escalation',
        'POST /v1/executions/{id}/retry',
        'POST /v1/signals/{key}',
        'GET /v1/workflows',
        'PUT /v1/workflows/{name}',
        'GET /v1/workflows/{name}/statechart',
        'GET /v1/workflows/{name}/graph',
        'GET /v1/workflows/{name}/versions',
        'GET /v1/events',
        'GET /v1/human-tasks',
        'POST /v1/human-tasks/{executionId}/{step}',
        'GET /v1/schedules',
        'POST /v1/schedules',
        'GET /v1/schedules/{id}',
        'DELETE /v1/schedules/{id}',
        'POST /v1/schedules/{id}/pause',
        'POST /v1/schedules/{id}/resume',
        'GET /metrics',
        'GET /v1/metrics',
        'GET /healthz',
        'GET /readyz',
        'GET /webhooks/whatsapp',
        'POST /webhooks/whatsapp',
        'POST /webhooks/{name}',
        'GET /v1/whatsapp/statuses/{messageId}',
        'GET /openapi.json',
      ]),
    );
    expect(document.paths['/v1/workflows/{name}']!['put']!.security).toEqual([{ bearer: ['admin'] }]);
    expect(document.paths['/webhooks/whatsapp']!['post']!.security).toEqual([]);
    expect(document.paths['/v1/schedules']!['post']!.security).toEqual([{ bearer: ['admin'] }]);
    expect(document.paths['/v1/schedules/{id}']!['delete']!.security).toEqual([{ bearer: ['admin'] }]);
    expect(document.paths['/v1/schedules']!['get']!.security).toEqual([{ bearer: ['read'] }]);
    expect(document.paths['/v1/human-tasks/{executionId}/{step}']!['post']!.security).toEqual([
      { bearer: ['admin'] },
      { bearer: ['trigger'] },
    ]);
  });

  it('has every documented operation answer without a missing route or a server error', async () => {
    const answers: Array<[string, number, string | undefined]> = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // An event stream never ends, so inject() would never resolve: events-sse.test.ts opens it over a socket.
        if (JSON.stringify(operation).includes('text/event-stream')) continue;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => PLACEHOLDERS[name] ?? 'placeholder');
        const res = await stack.gateway.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          ...(operation.requestBody ? { payload: {} } : {}),
        });
        const type = res.headers['content-type']?.toString() ?? '';
        const code = /\bapplication\/json\b/.test(type) ? (res.json() as { error?: { code: string } }).error?.code : undefined;
        answers.push([`${method.toUpperCase()} ${url}`, res.statusCode, code]);
      }
    }
    expect(answers.length).toBeGreaterThanOrEqual(20);
    expect(answers.filter(([, status, code]) => status >= 500 || code === 'ROUTE_NOT_FOUND')).toEqual([]);
  });
});
