/**
 * A squad process killed with SIGKILL in the middle of an action: the step is
 * retried (a new attempt, on the surviving replica) and the workflow
 * completes; the killed attempt's handler never runs twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

describe('squad crash', () => {
  it('retries a step whose squad process died mid-action on another replica, and the workflow completes', async () => {
    d = await deploy('squadkill', ['worker', 'worker']);
    await d.client.registerWorkflow(
      workflow('long_job')
        .task('crunch', {
          squad: 'worker',
          action: 'sleep',
          input: '{ "ms": 1500 }',
          timeout: '4s',
          retry: { retries: 2, initialInterval: '100ms' },
        })
        .task('report', { squad: 'worker', action: 'noop', dependsOn: ['crunch'] })
        .build(),
    );
    const id = await d.client.trigger('long_job', {});
    const [first] = await until(
      'the first attempt to start',
      async () => d!.invocations().filter((i) => i.executionId === id && i.step === 'crunch'),
      (runs) => runs.length > 0,
    );
    const victim = d.squads.find((s) => s.pid === first!.pid)!;
    victim.kill('SIGKILL');
    expect(await victim.exited).toBeNull();

    const view = await d.client.waitFor(id, undefined, 45_000);
    expect(view.status).toBe('completed');
    const crunch = view.steps.find((s) => s.name === 'crunch')!;
    expect(crunch.attempts.length).toBeGreaterThanOrEqual(2);
    expect(crunch.attempts.at(-1)!.status).toBe('completed');
    const runs = d.invocations().filter((i) => i.executionId === id && i.step === 'crunch');
    const survivor = d.squads.find((s) => s !== victim)!.pid;
    expect(runs.at(-1)!.pid).toBe(survivor);
    expect(new Set(runs.map((r) => r.attempt)).size).toBe(runs.length); // one run per attempt
  });
});
