import { afterEach, describe, expect, it } from 'vitest';
import { SquadflowError } from '@squadflow/shared';
import { HOUR, lastingWorkflow, type ScheduleEnv, scheduleEnv, T0 } from './support.ts';

const MINUTE = 60_000;
let env: ScheduleEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<SquadflowError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SquadflowError);
  return err as SquadflowError;
}

describe('schedules firing', () => {
  it('start a cron schedule at its local time: 0 9 * * * in America/Sao_Paulo runs at 12:00 UTC each day', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('report', '1m')] });
    const created = await env.client.createSchedule({ id: 'daily', workflow: 'report', cron: '0 9 * * *', timezone: 'America/Sao_Paulo' });
    expect(created.nextAt).toBe(T0 + 12 * HOUR);
    await env.advanceTo(T0 + 12 * HOUR - 1);
    expect(await env.slots('daily')).toEqual([]);
    await env.advanceTo(T0 + 12 * HOUR);
    expect(await env.slots('daily')).toEqual([T0 + 12 * HOUR]);
    await env.advanceTo(T0 + 60 * HOUR);
    expect(await env.slots('daily')).toEqual([T0 + 12 * HOUR, T0 + 36 * HOUR, T0 + 60 * HOUR]);
    const started = await env.client.listExecutions({ workflow: 'report' });
    expect(started.map((e) => e.createdAt).sort()).toEqual([T0 + 12 * HOUR, T0 + 36 * HOUR, T0 + 60 * HOUR]);
  });

  it('start an every: 1h schedule on each hour, with the schedule context', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('hourly', '1m')] });
    await env.client.createSchedule({ id: 'h', workflow: 'hourly', every: '1h', context: { region: 'br' } });
    await env.advance(3 * HOUR + 30 * MINUTE);
    expect(await env.slots('h')).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    const runs = await env.client.listExecutions({ workflow: 'hourly' });
    expect(runs.every((r) => r.context['region'] === 'br' && r.status === 'completed')).toBe(true);
    const schedule = await env.client.getSchedule('h');
    expect(schedule).toMatchObject({ state: 'active', lastSlot: T0 + 3 * HOUR, nextAt: T0 + 4 * HOUR });
  });

  it('start a one-shot once at its time, then mark it done', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('once', '1m')] });
    await env.client.createSchedule({ id: 'o', workflow: 'once', at: new Date(T0 + 90 * MINUTE).toISOString() });
    await env.advance(89 * MINUTE);
    expect(await env.slots('o')).toEqual([]);
    await env.advance(2 * 24 * HOUR);
    expect(await env.slots('o')).toEqual([T0 + 90 * MINUTE]);
    expect(await env.client.getSchedule('o')).toMatchObject({ state: 'done', lastSlot: T0 + 90 * MINUTE });
    expect((await env.client.getSchedule('o'))?.nextAt).toBeUndefined();
  });

  it('stop firing while paused, skip the paused slots on resume, and stop for good once deleted', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('tick', '1m')] });
    await env.client.createSchedule({ id: 'p', workflow: 'tick', every: '1h' });
    await env.advance(HOUR + MINUTE);
    expect(await env.slots('p')).toEqual([T0 + HOUR]);

    expect((await env.client.pauseSchedule('p')).state).toBe('paused');
    await env.advance(3 * HOUR);
    expect(await env.slots('p')).toEqual([T0 + HOUR]);

    const resumed = await env.client.resumeSchedule('p');
    expect(resumed).toMatchObject({ state: 'active', nextAt: T0 + 5 * HOUR });
    await env.advance(HOUR);
    expect(await env.slots('p')).toEqual([T0 + HOUR, T0 + 5 * HOUR]);

    await env.client.deleteSchedule('p');
    await env.advance(5 * HOUR);
    expect(await env.slots('p')).toEqual([T0 + HOUR, T0 + 5 * HOUR]);
    expect(await env.client.getSchedule('p')).toBeNull();
    expect(await env.client.listSchedules()).toEqual([]);
  });

  it('list schedules by id and refuse unknown ids, taken ids and unknown workflows', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('tick', '1m')] });
    await env.client.createSchedule({ id: 'b', workflow: 'tick', every: '1h' });
    const generated = await env.client.createSchedule({ workflow: 'tick', cron: '*/5 * * * *' });
    expect(generated.id).toMatch(/^sch_[0-9a-f]+$/);
    expect((await env.client.listSchedules()).map((s) => s.id)).toEqual(['b', generated.id].sort());

    expect((await rejection(env.client.createSchedule({ id: 'b', workflow: 'tick', every: '2h' }))).code).toBe('CONFLICT');
    expect((await rejection(env.client.createSchedule({ workflow: 'nope', every: '1h' }))).code).toBe('WORKFLOW_NOT_FOUND');
    const bad = await rejection(env.client.createSchedule({ workflow: 'tick', cron: '0 9 * * *', timezone: 'Nowhere/City' }));
    expect(bad.issues.map((i) => i.path)).toEqual(['timezone']);
    for (const call of [env.client.pauseSchedule('zz'), env.client.resumeSchedule('zz'), env.client.deleteSchedule('zz')]) {
      expect((await rejection(call)).issues).toEqual([{ path: 'id', message: 'no such schedule' }]);
    }
  });
});
