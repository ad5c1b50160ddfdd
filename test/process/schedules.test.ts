/**
 * Schedules across orchestrator processes on real NATS and the real clock:
 * every replica runs a scheduler, and a slot must start one execution, not
 * one per replica, also when a replica dies mid-way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { type ExecutionView, slotKey } from '@squadflow/engine';
import { until } from '@squadflow/transport/testing';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const PREFIX = 'schedule:tick:';

async function scheduled(deployment: Deployment): Promise<ExecutionView[]> {
  return (await deployment.client.listExecutions({ workflow: 'ticker', limit: 1000 })).filter((e) => e.idempotencyKey?.startsWith(PREFIX));
}

describe('schedules across orchestrator processes', () => {
  it('two orchestrators sharing a schedule every 1s start each slot exactly once, also after one of them is killed', async () => {
    d = await deploy('sched', ['alpha']);
    const first = d.orchestrator;
    await d.startOrchestrator();
    await d.client.registerWorkflow(workflow('ticker').task('ping', { squad: 'alpha', action: 'noop' }).build());
    // `allow`: a slot never waits on the previous run, so every slot must show up.
    await d.client.createSchedule({ id: 'tick', workflow: 'ticker', every: '1s', overlap: 'allow' });

    // Progress is read from the schedule entry (one KV get), not by listing executions.
    const lastSlot = async () => (await d!.client.getSchedule('tick'))?.lastSlot ?? 0;
    const firstSlot = (await d.client.getSchedule('tick'))!.nextAt!;
    await until('3 slots fired by both replicas', lastSlot, (slot) => slot >= firstSlot + 2_000, 15_000);
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const atKill = await lastSlot();
    await until('3 more slots fired by the survivor', lastSlot, (slot) => slot >= atKill + 3_000, 15_000);
    await d.client.pauseSchedule('tick');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a slot being fired while we paused lands

    const runs = await scheduled(d);
    const keys = runs.map((r) => r.idempotencyKey!);
    expect(new Set(keys).size).toBe(keys.length);
    const slots = keys.map((k) => Number(k.slice(PREFIX.length))).sort((a, b) => a - b);
    expect(slots.every((s) => s % 1_000 === 0 && keys.includes(slotKey('tick', s)))).toBe(true);
    expect(slots[0]).toBe(firstSlot);
    expect(slots.length).toBeGreaterThanOrEqual(6);
    // Consecutive: no slot lost to the race between replicas or to the kill.
    expect(slots.slice(1).map((s, i) => s - slots[i]!)).toEqual(slots.slice(1).map(() => 1_000));
    // Nothing else started the workflow, and each run's step ran once.
    expect(await d.client.listExecutions({ workflow: 'ticker', limit: 1000 })).toHaveLength(runs.length);
    const done = await Promise.all(runs.map((r) => d!.client.waitFor(r.executionId, undefined, 20_000)));
    expect(done.every((r) => r.status === 'completed')).toBe(true);
    const invocations = d.invocations();
    for (const run of done) expect(invocations.filter((i) => i.executionId === run.executionId)).toHaveLength(1);
  });
});
