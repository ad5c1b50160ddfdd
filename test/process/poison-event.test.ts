/**
 * A poison event with real processes: the orchestrator process dies (SIGKILL,
 * through a failpoint) every time it applies one reply. After a bounded number
 * of restarts that execution is quarantined and every other one completes.
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

describe('a poison event that kills the orchestrator', () => {
  it('ends its execution failed (POISON_EVENT) after maxEventAttempts counted crashes, while the other executions complete', async () => {
    d = await deploy('poison', ['worker'], {
      orchestratorEnv: { SQUADFLOW_FAILPOINTS: 'orchestrator.apply=kill@reply.explode', SQUADFLOW_MAX_EVENT_ATTEMPTS: '3' },
    });
    const deployment = d;
    // A long step timeout: the quarantine, not the timeout, must end it.
    await d.client.registerWorkflow(workflow('poisoned').task('explode', { squad: 'worker', action: 'noop', timeout: '10m' }).build());
    await d.client.registerWorkflow(
      workflow('healthy')
        .task('one', { squad: 'worker', action: 'noop' })
        .task('two', { squad: 'worker', action: 'noop', dependsOn: ['one'] })
        .build(),
    );
    const poisoned = await d.client.trigger('poisoned', {});
    const healthy = await Promise.all(Array.from({ length: 10 }, (_, i) => deployment.client.trigger('healthy', { n: i })));

    // Restart the orchestrator each time it dies (the redelivered reply may kill it before it is even ready),
    // until the poisoned execution has ended.
    let deaths = 0;
    let dead = false;
    const watch = (): void => void deployment.orchestrator.exited.then(() => (dead = true));
    const restart = async (): Promise<void> => {
      for (let tries = 0; tries < 10; tries++) {
        try {
          await deployment.startOrchestrator();
          watch();
          return;
        } catch {
          deaths++; // died while starting: it took the redelivered reply before printing "ready"
        }
      }
      throw new Error('the orchestrator kept dying while starting');
    };
    watch();
    const view = await until(
      'the poisoned execution to end',
      async () => {
        if (dead) {
          dead = false;
          deaths++;
          await restart();
        }
        return deployment.client.getExecution(poisoned);
      },
      (v) => v?.status === 'failed',
      90_000,
    );

    expect(view?.error?.code).toBe('POISON_EVENT');
    expect(view?.error?.message).toContain('reply to step "explode" (attempt 1) failed');
    expect(view?.error?.message).toContain('the orchestrator process ended while applying it');
    // Died on deliveries 1 to 3 (the first leaves no count: it costs nothing on the hot path), quarantined on the 4th.
    expect(deaths).toBe(3);
    expect(d.invocations().filter((i) => i.executionId === poisoned)).toHaveLength(1);
    for (const id of healthy) expect((await d.client.waitFor(id, undefined, 30_000)).status).toBe('completed');
    expect(dead).toBe(false); // the quarantined event did not kill it again
  });
});
