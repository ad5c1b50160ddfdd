/** `/v1/schedules`: the schedule API over HTTP, on memory and on NATS (same routes, same answers). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoWorkflow, startStack, type Stack } from './support.ts';

/** A JSON answer: a schedule, a list, or the error envelope. */
interface Answer {
  error: { code: string; issues: Array<{ path: string; message: string }> };
  [field: string]: unknown;
}

describe.each(['memory', 'nats'] as const)('schedules over HTTP (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind, workflows: [echoWorkflow()] });
  });
  afterAll(() => stack?.close());

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await stack.gateway.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, headers: res.headers, body: res.body ? (res.json() as Answer) : undefined };
  };

  it('creates, lists, reads, pauses, resumes and deletes a schedule', async () => {
    const created = await call('POST', '/v1/schedules', { id: 'nightly', workflow: 'echo', cron: '0 3 * * *', context: { n: 1 } });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('/v1/schedules/nightly');
    expect(created.body).toMatchObject({ id: 'nightly', workflow: 'echo', state: 'active', timezone: 'UTC', context: { n: 1 } });
    expect(created.body!['nextAt']).toBeGreaterThan(Date.now());

    const generated = await call('POST', '/v1/schedules', { workflow: 'echo', every: '1h' });
    expect(generated.status).toBe(201);
    expect(generated.body!['id']).toMatch(/^sch_/);

    const listed = await call('GET', '/v1/schedules');
    expect(listed.status).toBe(200);
    expect((listed.body!['schedules'] as Array<{ id: string }>).map((s) => s.id).sort()).toEqual(
      ['nightly', generated.body!['id'] as string].sort(),
    );

    expect((await call('GET', '/v1/schedules/nightly')).body).toMatchObject({ id: 'nightly', cron: '0 3 * * *' });
    expect((await call('POST', '/v1/schedules/nightly/pause')).body).toMatchObject({ id: 'nightly', state: 'paused' });
    expect((await call('GET', '/v1/schedules/nightly')).body!['state']).toBe('paused');
    expect((await call('POST', '/v1/schedules/nightly/resume')).body).toMatchObject({ id: 'nightly', state: 'active' });

    const deleted = await call('DELETE', '/v1/schedules/nightly');
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await call('GET', '/v1/schedules/nightly')).status).toBe(404);
    expect((await stack.client.listSchedules()).map((s) => s.id)).toEqual([generated.body!['id']]);
  });

  it('answers 404 SCHEDULE_NOT_FOUND for an unknown id on every route', async () => {
    for (const [method, url] of [
      ['GET', '/v1/schedules/nope'],
      ['DELETE', '/v1/schedules/nope'],
      ['POST', '/v1/schedules/nope/pause'],
      ['POST', '/v1/schedules/nope/resume'],
    ] as const) {
      const res = await call(method, url);
      expect([method, url, res.status, res.body!.error.code]).toEqual([method, url, 404, 'SCHEDULE_NOT_FOUND']);
    }
  });

  it('answers bad input with 400 naming the field, and creates nothing', async () => {
    const before = (await stack.client.listSchedules()).length;
    const noTiming = await call('POST', '/v1/schedules', { workflow: 'echo' });
    expect(noTiming.status).toBe(400);
    expect(noTiming.body!.error).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'cron' }] });

    const badCron = await call('POST', '/v1/schedules', { workflow: 'echo', cron: 'every tuesday' });
    expect(badCron.status).toBe(400);
    expect(badCron.body!.error.issues).toEqual([{ path: 'cron', message: expect.stringContaining('invalid cron') }]);

    const two = await call('POST', '/v1/schedules', { workflow: 'echo', cron: '* * * * *', every: '1h' });
    expect(two.body!.error.issues).toEqual([expect.objectContaining({ path: 'every' })]);

    const zone = await call('POST', '/v1/schedules', { workflow: 'echo', every: '1h', timezone: 'Mars/Olympus' });
    expect(zone.body!.error.issues).toEqual([expect.objectContaining({ path: 'timezone' })]);

    const badId = await call('GET', '/v1/schedules/9lives');
    expect(badId.status).toBe(400);
    expect(badId.body!.error.issues.map((i) => i.path)).toEqual(['params.id']);

    const unknownWorkflow = await call('POST', '/v1/schedules', { workflow: 'no_such', every: '1h' });
    expect(unknownWorkflow.status).toBe(404);
    expect(unknownWorkflow.body!.error.code).toBe('WORKFLOW_NOT_FOUND');

    expect((await stack.client.listSchedules()).length).toBe(before);
  });

  it('answers 409 CONFLICT when the id is taken', async () => {
    expect((await call('POST', '/v1/schedules', { id: 'taken', workflow: 'echo', every: '1h' })).status).toBe(201);
    const again = await call('POST', '/v1/schedules', { id: 'taken', workflow: 'echo', every: '2h' });
    expect(again.status).toBe(409);
    expect(again.body!.error).toMatchObject({ code: 'CONFLICT', issues: [{ path: 'id' }] });
    expect((await call('GET', '/v1/schedules/taken')).body!['every']).toBe('1h');
  });
});
