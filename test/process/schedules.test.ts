/**
 * Schedules across orchestrator processes on real NATS and the real clock:
 * every replica runs a scheduler, and a slot must start one execution, not
 * one per replica, also when a replica dies mid-way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { slotKey, type ExecutionView } from '@squadflow/engine';
import { until } from '../support/until.ts';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterEach(async () => {
  console.error('AFTER START', Date.now());
  await d?.close();
  console.error('AFTER END', Date.now());
  d = undefined;
});

const PREFIX = 'schedule:tick:';

async function scheduled(deployment: Deployment): Promise<ExecutionView[]> {
  return (await deployment.client.listExecutions({ workflow: 'ticker', limit: 1000 })).filter((e) => e.idempotencyKey?.startsWith(PREFIX));
}

describe('schedules across orchestrator processes', () => {
  it('two orchestrators sharing a schedule every 1s start each slot exactly once, also after one of them is killed', async () => {
    d = await deploy('sched', ['alpha']);
    console.error('STEP 1', Date.now());
    const first = d.orchestrator;
    console.error('STEP 2', Date.now());
    await d.startOrchestrator();
    console.error('STEP 3', Date.now());
    await d.client.registerWorkflow(workflow('ticker').task('ping', { squad: 'alpha', action: 'noop' }).build());
    console.error('STEP 4', Date.now());
    // `allow`: a slot never waits on the previous run, so every slot must show up.
    await d.client.createSchedule({ id: 'tick', workflow: 'ticker', every: '1s', overlap: 'allow' });
    console.error('STEP 5', Date.now());

    await until(
      '3 slots fired by both replicas',
      () => scheduled(d!),
      (list) => list.length >= 3,
      15_000,
    );
    console.error('STEP 6', Date.now());
    first.kill('SIGKILL');
    console.error('STEP 7', Date.now());
    expect(await first.exited).toBeNull();
    console.error('STEP 8', Date.now());
    const before = (await scheduled(d)).length;
    console.error('STEP 9', Date.now());
    await until(
      '3 more slots fired by the survivor',
      () => scheduled(d!),
      (list) => list.length >= before + 3,
      15_000,
    );
    console.error('STEP 10', Date.now());
    await d.client.pauseSchedule('tick');
    console.error('STEP 11', Date.now());
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a slot being fired while we paused lands

    const runs = await scheduled(d);
    console.error('STEP 12', Date.now());
    const keys = runs.map((r) => r.idempotencyKey!);
    console.error('STEP 13', Date.now());
    expect(new Set(keys).size).toBe(keys.length);
    console.error('STEP 14', Date.now());
    const slots = keys.map((k) => Number(k.slice(PREFIX.length))).sort((a, b) => a - b);
    console.error('STEP 15', Date.now());
    expect(slots.every((s) => s % 1_000 === 0 && keys.includes(slotKey('tick', s)))).toBe(true);
    console.error('STEP 16', Date.now());
    expect(slots.length).toBeGreaterThanOrEqual(6);
    console.error('STEP 17', Date.now());
    // Consecutive: no slot lost to the race between replicas or to the kill.
    expect(slots.slice(1).map((s, i) => s - slots[i]!)).toEqual(slots.slice(1).map(() => 1_000));
    console.error('STEP 18', Date.now());
    // Nothing else started the workflow, and each run's step ran once.
    expect(await d.client.listExecutions({ workflow: 'ticker', limit: 1000 })).toHaveLength(runs.length);
    console.error('STEP 19', Date.now());
    const done = await until(
      'every scheduled run to complete',
      () => scheduled(d!),
      (list) => list.every((r) => r.status === 'completed'),
      20_000,
    );
    console.error('STEP 20', Date.now());
    const invocations = d.invocations();
    console.error('STEP 21', Date.now());
    for (const run of done) expect(invocations.filter((i) => i.executionId === run.executionId)).toHaveLength(1);
    console.error('STEP 22', Date.now());
  });
});
