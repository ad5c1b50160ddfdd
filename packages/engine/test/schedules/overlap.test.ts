import { afterEach, describe, expect, it } from 'vitest';
import { slotKey } from '../../src/schedules/fire.ts';
import { HOUR, lastingWorkflow, type ScheduleEnv, scheduleEnv, T0 } from './support.ts';

const MINUTE = 60_000;
let env: ScheduleEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** Hourly slots of a workflow whose runs last 2 h 30 min: the 02:00 and 03:00 slots come while the 01:00 run still goes. */
async function overlapping(overlap: 'skip' | 'queue' | 'allow') {
  env = await scheduleEnv({ workflows: [lastingWorkflow('long', '150m')] });
  await env.client.createSchedule({ id: 'o', workflow: 'long', every: '1h', overlap });
  return env;
}

describe('overlap policy', () => {
  it('skip drops the slots that come while the previous run still goes', async () => {
    const e = await overlapping('skip');
    await e.advanceTo(T0 + 3 * HOUR + 45 * MINUTE);
    expect(await e.slots('o')).toEqual([T0 + HOUR]);
    expect((await e.client.getSchedule('o'))?.lastOutcome).toMatchObject({ slot: T0 + 3 * HOUR, result: 'skipped' });
    await e.advanceTo(T0 + 4 * HOUR);
    expect(await e.slots('o')).toEqual([T0 + HOUR, T0 + 4 * HOUR]);
  });

  it('queue starts one waiting slot as soon as the previous run ends, and drops slots beyond that one', async () => {
    const e = await overlapping('queue');
    await e.advanceTo(T0 + 2 * HOUR);
    expect(await e.client.getSchedule('o')).toMatchObject({ queuedSlot: T0 + 2 * HOUR, lastOutcome: { result: 'queued' } });
    await e.advanceTo(T0 + 3 * HOUR + 29 * MINUTE);
    expect(await e.slots('o')).toEqual([T0 + HOUR]);
    expect((await e.client.getSchedule('o'))?.lastOutcome).toMatchObject({ slot: T0 + 3 * HOUR, result: 'skipped' });

    await e.advanceTo(T0 + 3 * HOUR + 31 * MINUTE); // the 01:00 run ends at 03:30
    expect(await e.slots('o')).toEqual([T0 + HOUR, T0 + 2 * HOUR]);
    const queued = await e.client.getExecution((await e.client.getSchedule('o'))!.lastExecutionId!);
    expect(queued?.idempotencyKey).toBe(slotKey('o', T0 + 2 * HOUR));
    expect(queued?.createdAt).toBeGreaterThanOrEqual(T0 + 3 * HOUR + 30 * MINUTE);
    expect(queued?.createdAt).toBeLessThanOrEqual(T0 + 3 * HOUR + 30 * MINUTE + 1_000);
    expect((await e.client.getSchedule('o'))?.queuedSlot).toBeUndefined();
  });

  it('allow starts every slot, even while earlier runs still go', async () => {
    const e = await overlapping('allow');
    await e.advanceTo(T0 + 3 * HOUR);
    expect(await e.slots('o')).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    const running = await e.client.listExecutions({ workflow: 'long', status: 'waiting' });
    expect(running).toHaveLength(3);
  });
});

describe('catch-up and replicas', () => {
  it('catch-up latest fires only the latest slot missed while no orchestrator ran, once', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('tick', '1m')] });
    await env.client.createSchedule({ id: 'c', workflow: 'tick', every: '1h' });
    await env.stopAll();
    await env.advanceTo(T0 + 5 * HOUR + 30 * MINUTE);
    expect(await env.slots('c')).toEqual([]);
    await env.addReplica();
    await env.advance(0);
    expect(await env.slots('c')).toEqual([T0 + 5 * HOUR]);
    await env.addReplica(); // a second replica coming up does not fire it again
    await env.advanceTo(T0 + 6 * HOUR);
    expect(await env.slots('c')).toEqual([T0 + 5 * HOUR, T0 + 6 * HOUR]);
  });

  it('catch-up skip fires none of the slots missed while no orchestrator ran, then keeps time', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('tick', '1m')] });
    await env.client.createSchedule({ id: 'c', workflow: 'tick', every: '1h', catchUp: 'skip' });
    await env.stopAll();
    await env.advanceTo(T0 + 5 * HOUR + 30 * MINUTE);
    await env.addReplica();
    await env.advance(0);
    expect(await env.slots('c')).toEqual([]);
    expect((await env.client.getSchedule('c'))?.lastOutcome).toMatchObject({ slot: T0 + 5 * HOUR, result: 'missed' });
    await env.advanceTo(T0 + 6 * HOUR);
    expect(await env.slots('c')).toEqual([T0 + 6 * HOUR]);
  });

  it('three replicas on one schedule start each slot exactly once', async () => {
    env = await scheduleEnv({ replicas: 3, workflows: [lastingWorkflow('tick', '1s')] });
    await env.client.createSchedule({ id: 'r', workflow: 'tick', every: '1m' });
    await env.advance(10 * MINUTE);
    const expected = Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * MINUTE);
    expect(await env.slots('r')).toEqual(expected);
    expect(await env.client.listExecutions({ workflow: 'tick' })).toHaveLength(10);
  });

  it('a slot whose trigger was sent before a crash (claim not written) runs as the same single execution', async () => {
    env = await scheduleEnv({ workflows: [lastingWorkflow('tick', '1m')] });
    await env.client.createSchedule({ id: 'x', workflow: 'tick', every: '1h' });
    await env.stopAll();
    await env.advanceTo(T0 + HOUR);
    // What a replica did before dying: the trigger with the slot's key went out, the KV claim did not.
    const early = await env.client.trigger('tick', {}, { idempotencyKey: slotKey('x', T0 + HOUR) });
    await env.addReplica();
    await env.advance(MINUTE);
    expect(await env.slots('x')).toEqual([T0 + HOUR]);
    expect((await env.client.getSchedule('x'))?.lastExecutionId).toBe(early);
    expect(await env.client.listExecutions({ workflow: 'tick' })).toHaveLength(1);
  });
});
