/**
 * A circuit breaker is shared by every execution and every orchestrator
 * replica: two orchestrator processes on real NATS, one breaker state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterAll(() => d?.close());

describe('circuit breaker across orchestrator processes', () => {
  it('opens after N consecutive failures counted by both replicas, then fails fast without calling the squad', async () => {
    d = await deploy('breaker', ['flaky_api']);
    await d.startOrchestrator(); // a second replica sharing the work
    await d.client.registerWorkflow(
      workflow('call_api')
        .task('call', { squad: 'flaky_api', action: 'fail', circuitBreaker: { failureThreshold: 3, resetAfter: '1h', whileOpen: 'fail' } })
        .build(),
    );
    const runs = async (n: number) =>
      Promise.all(Array.from({ length: n }, async () => d!.client.waitFor(await d!.client.trigger('call_api', {}), undefined, 30_000)));
    // Sequentially, so "consecutive" is well defined even with two replicas.
    for (let i = 0; i < 3; i++) expect((await runs(1))[0]!.steps[0]!.error?.code).not.toBe('CIRCUIT_OPEN');
    const [breaker] = (await d.client.metrics()).breakers;
    expect(breaker).toMatchObject({ squad: 'flaky_api', action: 'fail', state: 'open', failures: 3 });

    const fast = await runs(6);
    expect(fast.every((v) => v.status === 'failed' && v.steps[0]!.error?.code === 'CIRCUIT_OPEN')).toBe(true);
    expect(d.invocations().filter((i) => i.action === 'fail')).toHaveLength(3);
  });
});
