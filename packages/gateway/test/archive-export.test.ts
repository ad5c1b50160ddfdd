/** `GET /v1/archive/executions`: archived executions as JSON lines, behind the read scope, with a checked query. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { parseApiTokens } from '../src/http/auth.ts';
import { createGateway, type Gateway } from '../src/index.ts';
import { startStandInSquad, type StandInSquad } from './stand-in-squad.ts';
import { echoWorkflow } from './support.ts';

const READER = 'reader-token-0123456789';
const HOUR = 3_600_000;

describe('archive export', () => {
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
  let transport: Transport;
  let orchestrator: Orchestrator;
  let squad: StandInSquad;
  let client: EngineClient;
  let gateway: Gateway;
  const ids: string[] = [];

  beforeAll(async () => {
    transport = createMemoryTransport({ clock });
    const logger = silentLogger();
    orchestrator = await Orchestrator.start({ transport, logger, retention: { retention: '1h', sweepIntervalMs: HOUR } });
    squad = await startStandInSquad({ transport, prefix: 'sqf', squad: 'alpha' });
    client = await EngineClient.connect({ transport });
    await client.registerWorkflow(echoWorkflow('echo'));
    await client.registerWorkflow(echoWorkflow('other'));
    gateway = createGateway({
      client,
      transport,
      prefix: 'sqf',
      logger,
      config: { port: 0, tokens: parseApiTokens(`ops:${READER}:read`) },
    });
    ids.push(await client.trigger('echo', { n: 1 }), await client.trigger('other', { n: 2 }));
    for (let i = 0; i < 100 && !(await Promise.all(ids.map((id) => client.getExecution(id)))).every((v) => v?.status === 'completed'); i++)
      await clock.advance(10);
    // Past the retention, then a sweep.
    for (let i = 0; i < 5 && (await client.listExecutions()).length > 0; i++) await clock.advance(HOUR);
  });
  afterAll(async () => {
    await gateway?.close();
    await squad?.stop();
    await orchestrator?.stop();
    await transport?.close();
  });

  const get = (url: string, token: string | null = READER) =>
    gateway.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('streams every archived execution as one JSON line each', async () => {
    expect(await client.listExecutions()).toEqual([]);
    const res = await get('/v1/archive/executions');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { executionId: string; archived: boolean; status: string });
    expect(lines.map((l) => l.executionId).sort()).toEqual([...ids].sort());
    expect(lines.every((l) => l.archived && l.status === 'completed')).toBe(true);
    // The execution itself still answers, from the archive.
    const one = await get(`/v1/executions/${ids[0]}`);
    expect(one.json()).toMatchObject({ executionId: ids[0], archived: true });
  });

  it('filters by workflow and creation time', async () => {
    const only = await get('/v1/archive/executions?workflow=other');
    expect(
      only.body
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { workflow: string }).workflow),
    ).toEqual(['other']);
    const later = await get(`/v1/archive/executions?since=${new Date(clock.now()).toISOString()}`);
    expect(later.statusCode).toBe(200);
    expect(later.body).toBe('');
  });

  it('needs the read scope and refuses a bad or unknown query field by name', async () => {
    expect((await get('/v1/archive/executions', null)).statusCode).toBe(401);
    const bad = await get('/v1/archive/executions?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([expect.objectContaining({ path: 'query.since' })]);
    const unknown = await get('/v1/archive/executions?sinse=1');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error.issues)).toContain('sinse');
  });
});
