/** A workflow drawn and read over HTTP, on memory and on NATS: its graph, its statechart formats, its versions and its YAML. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDefinition, workflow } from '@squadflow/shared';
import { startStack, type Stack } from './support.ts';

const v1 = workflow('drawn')
  .task('first', { squad: 'alpha', action: 'noop', retry: { retries: 2, initialInterval: '1s' }, compensate: { action: 'undo' } })
  .wait('await_reply', { signal: 'reply_{id}', timeout: '2h', dependsOn: ['first'] })
  .task('late', { squad: 'alpha', action: 'noop', delay: '5m', dependsOn: [{ step: 'await_reply', on: 'timeout' }], onError: 'compensate' })
  .build();
const v2 = { ...v1, description: 'second version' };

describe.each(['memory', 'nats'] as const)('the drawn workflow over HTTP (%s)', (kind) => {
  let stack: Stack;
  let registeredAround: number;
  beforeAll(async () => {
    stack = await startStack({ kind, workflows: [v1] });
    registeredAround = Date.now();
    await stack.client.registerWorkflow(v2);
  });
  afterAll(() => stack?.close());

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await stack.gateway.app.inject({ method: 'GET', url, headers });
    return {
      status: res.statusCode,
      type: String(res.headers['content-type']),
      text: res.body,
      json: () => res.json() as Record<string, unknown>,
    };
  };

  it('serves the graph: steps with squad and action, dependency, timeout and compensation edges, start and end', async () => {
    const res = await get('/v1/workflows/drawn/graph?version=1');
    expect(res.status).toBe(200);
    const graph = res.json() as { version: number; nodes: Array<Record<string, unknown>>; edges: Array<Record<string, unknown>> };
    expect(graph.version).toBe(1);
    expect(graph.nodes.find((n) => n['id'] === 'first')).toMatchObject({
      type: 'task',
      squad: 'alpha',
      action: 'noop',
      retry: { attempts: 3 },
    });
    expect(graph.nodes.find((n) => n['id'] === 'await_reply')).toMatchObject({
      type: 'wait',
      wait: { signal: 'reply_{id}', timeoutMs: 7_200_000 },
    });
    expect(graph.edges.map((e) => `${e['from']}->${e['to']}:${e['kind']}`)).toEqual([
      '__start->first:dependency',
      'first->compensate:first:compensation',
      'first->await_reply:dependency',
      'await_reply->late:timeout',
      'late->__end:dependency',
      'late->__compensate:compensation',
    ]);
    expect((await get('/v1/workflows/drawn/graph')).json()['version']).toBe(2);
  });

  it('serves the statechart as a flowchart by default for Mermaid, the XState JSON, and the XState state diagram', async () => {
    const mermaid = await get('/v1/workflows/drawn/statechart?format=mermaid');
    expect(mermaid.type).toContain('text/vnd.mermaid');
    expect(mermaid.text).toMatch(/^flowchart TD\n/);
    expect(mermaid.text).toContain('|"on timeout · wait 5m"|');
    expect(mermaid.text).toContain('-.->|"compensate"|');
    expect((await get('/v1/workflows/drawn/statechart', { accept: 'text/vnd.mermaid' })).text).toBe(mermaid.text);
    expect((await get('/v1/workflows/drawn/statechart?format=json')).json()).toMatchObject({ id: 'workflow', type: 'compound' });
    expect((await get('/v1/workflows/drawn/statechart?format=xstate-mermaid')).text).toMatch(/^stateDiagram-v2\n/);
    const bad = await get('/v1/workflows/drawn/statechart?format=svg');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('query.format');
  });

  it('lists the versions with when they were registered, and serves a version as YAML that parses back to it', async () => {
    const res = await get('/v1/workflows/drawn/versions');
    expect(res.status).toBe(200);
    const { versions } = res.json() as { versions: Array<{ version: number; createdAt: number; steps: number; description?: string }> };
    expect(versions.map((v) => [v.version, v.steps, v.description])).toEqual([
      [1, 3, undefined],
      [2, 3, 'second version'],
    ]);
    for (const v of versions) expect(Math.abs(v.createdAt - registeredAround)).toBeLessThan(60_000);
    const yaml = await get('/v1/workflows/drawn?version=1&format=yaml');
    expect(yaml.type).toContain('application/yaml');
    expect(yaml.text).toMatch(/^name: drawn\n/m);
    expect(parseDefinition(yaml.text, 'yaml')).toEqual((await get('/v1/workflows/drawn?version=1')).json());
  });

  it('answers 404 for an unknown workflow on each route', async () => {
    for (const url of ['/v1/workflows/nope/graph', '/v1/workflows/nope/versions', '/v1/workflows/nope?format=yaml']) {
      const res = await get(url);
      expect([url, res.status, (res.json()['error'] as { code: string }).code]).toEqual([url, 404, 'WORKFLOW_NOT_FOUND']);
    }
  });
});
