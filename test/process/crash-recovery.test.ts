/**
 * Durability with real processes: squads and the orchestrator run as separate
 * OS processes on real NATS, and the orchestrator is killed with SIGKILL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lifecycleCodec, type LifecycleEvent, names, workflow } from '@squadflow/shared';
import type { ExecutionView } from '@squadflow/engine';
import { until } from '@squadflow/transport/testing';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

describe('workflows across processes', () => {
  it('completes a fan-out/fan-in workflow whose squads run as separate processes', async () => {
    d = await deploy('fanproc', ['inventory', 'whatsapp']);
    await d.client.registerWorkflow(
      workflow('fan_out_in')
        .task('check', { squad: 'inventory', action: 'noop' })
        .task('remind', { squad: 'whatsapp', action: 'noop', dependsOn: ['check'] })
        .task('audience', { squad: 'inventory', action: 'noop', dependsOn: ['check'] })
        .task('campaign', { squad: 'whatsapp', action: 'noop', dependsOn: ['remind', 'audience'] })
        .task('report', { squad: 'inventory', action: 'noop', dependsOn: ['campaign'] })
        .build(),
    );
    const id = await d.client.trigger('fan_out_in', { cart: 1 });
    const view = await d.client.waitFor(id, undefined, 30_000);
    expect(view.status).toBe('completed');
    const runs = d.invocations().filter((i) => i.executionId === id);
    expect(new Set(runs.map((r) => r.pid)).size).toBe(2);
    const startOf = (step: string) => runs.find((r) => r.step === step)!.at;
    expect(startOf('campaign')).toBeGreaterThanOrEqual(Math.max(startOf('remind'), startOf('audience')));
    expect(runs.map((r) => r.step).sort()).toEqual(['audience', 'campaign', 'check', 'remind', 'report']);
  });

  it('finishes 200 executions with delays and retries after the orchestrator is killed with SIGKILL, running each handler at most once per attempt', async () => {
    d = await deploy('crash', ['alpha', 'beta']);
    await d.client.registerWorkflow(
      workflow('crashy')
        .task('first', { squad: 'alpha', action: 'noop' })
        .task('shaky', {
          squad: 'beta',
          action: 'flaky',
          input: '{ "failAttempts": 1 }',
          dependsOn: ['first'],
          retry: { retries: 2, initialInterval: '300ms' },
        })
        .task('later', { squad: 'alpha', action: 'noop', delay: '800ms', dependsOn: ['first'] })
        .task('last', { squad: 'beta', action: 'noop', dependsOn: ['shaky', 'later'] })
        .build(),
    );
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => d!.client.trigger('crashy', { n: i })));
    // Kill while executions are mid-flight: many started, none (or few) finished.
    await until(
      'executions in flight',
      async () => d!.invocations().length,
      (n) => n >= 250,
      60_000,
    );
    d.orchestrator.kill('SIGKILL');
    expect(await d.orchestrator.exited).toBeNull();
    const atKill = await d.client.listExecutions({ workflow: 'crashy', limit: 1000 });
    expect(atKill.filter((e) => e.status === 'completed').length).toBeLessThan(200);

    await d.startOrchestrator();
    const done = await until(
      'all 200 executions to end',
      () => d!.client.listExecutions({ workflow: 'crashy', limit: 1000 }),
      (list) => list.length === 200 && list.every((e) => e.status === 'completed' || e.status === 'failed'),
      45_000,
    ).catch(async (err: unknown) => {
      const list = await d!.client.listExecutions({ workflow: 'crashy', limit: 1000 });
      const stuck = list.filter((e) => e.status !== 'completed').slice(0, 3);
      throw new Error(
        `${String(err)}; ${list.length} executions, not completed: ${JSON.stringify(stuck.map((e) => ({ id: e.executionId, status: e.status, steps: e.steps.map((s) => [s.name, s.status, s.attempts.length]) })))}`,
      );
    });
    const notCompleted = done
      .filter((e) => e.status !== 'completed')
      .map((e) => ({ error: e.error, steps: e.steps.map((s) => [s.name, s.status, s.attempts]) }));
    expect(notCompleted).toEqual([]);

    // Handlers ran at most once per (execution, step, attempt).
    const runs = d.invocations();
    const perAttempt = new Map<string, number>();
    for (const r of runs)
      perAttempt.set(`${r.executionId}/${r.step}/${r.attempt}`, (perAttempt.get(`${r.executionId}/${r.step}/${r.attempt}`) ?? 0) + 1);
    expect([...perAttempt.values()].filter((n) => n > 1)).toEqual([]);
    for (const id of ids) {
      const mine = runs.filter((r) => r.executionId === id);
      expect(mine.filter((r) => r.step === 'first')).toHaveLength(1);
      expect(mine.filter((r) => r.step === 'last')).toHaveLength(1);
    }
    // Each execution completed exactly once: one `execution.completed` lifecycle event each.
    const completed = await collectLifecycle(d, 'execution.completed', 200);
    const counts = new Map<string, number>();
    for (const e of completed) counts.set(e.executionId, (counts.get(e.executionId) ?? 0) + 1);
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const views = (await Promise.all(ids.map((id) => d!.client.getExecution(id)))) as ExecutionView[];
    expect(views.every((v) => v.steps.find((s) => s.name === 'shaky')!.output !== undefined)).toBe(true);
  });

  // The example is 2 s; the restart must come before the deadline for the test to show the timer is
  // not early. An idle start takes ~1.3 s, but while the full suite runs on 2 cores, kill + restart has taken
  // over 6 s after the delay was armed (2026-12-07): 8 s keeps the precondition true under that load.
  it('fires a delay (8 s) armed before a SIGKILL after the restart, not before its deadline', async () => {
    d = await deploy('delay', ['alpha']);
    await d.client.registerWorkflow(workflow('sleeper').task('nap', { squad: 'alpha', action: 'noop', delay: '8s' }).build());
    const id = await d.client.trigger('sleeper', {});
    const armed = await until(
      'the delay to be armed',
      () => d!.client.getExecution(id),
      (v) => v?.steps[0]?.status === 'delayed',
      60_000,
    );
    const armedAt = armed!.steps[0]!.startedAt!;
    d.orchestrator.kill('SIGKILL');
    await d.orchestrator.exited;
    await d.startOrchestrator();
    const restartedAt = Date.now();
    expect(restartedAt).toBeLessThan(armedAt + 8_000); // the restart came before the deadline
    const view = await d.client.waitFor(id, undefined, 30_000);
    expect(view.status).toBe('completed');
    const ran = d.invocations().find((r) => r.executionId === id)!;
    expect(ran.at).toBeGreaterThanOrEqual(armedAt + 8_000);
    expect(view.steps[0]!.attempts[0]!.startedAt).toBeGreaterThanOrEqual(armedAt + 8_000);
  });
});

/** Reads lifecycle events of one type from the stream until `expected` arrived, then a short quiet period for extras. */
async function collectLifecycle(d: Deployment, type: string, expected: number): Promise<LifecycleEvent[]> {
  const n = names(d.prefix);
  const events: LifecycleEvent[] = [];
  let reached: () => void;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  const consumer = await d.transport.streams.consume(
    n.streams.lifecycle,
    { durable: `${n.prefix}_test_lc`, filterSubject: n.lifecycleFilter({ type }) },
    async (msg) => {
      events.push(lifecycleCodec.decode(msg.data));
      msg.ack();
      if (events.length >= expected) reached();
    },
  );
  await Promise.race([
    enough,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${events.length} ${type} events`)), 20_000)),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 300)); // only to see extras that should not exist
  await consumer.stop();
  return events;
}
