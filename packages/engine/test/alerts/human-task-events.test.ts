/**
 * A human task announces itself (`step.waiting`, docs/alerts.md) so that the
 * notifier can tell its assignee; its escalation names the new assignee and
 * the title. Only human steps publish it: a plain wait does not.
 */
import { silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock } from '@squadflow/transport';
import { until } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient, Orchestrator } from '../../src/index.ts';
import { lifecycleLog } from '../fake-squad.ts';

describe('human task lifecycle events', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    orchestrator = undefined;
  });

  it('publishes step.waiting with the assignee, title, key and due time, then step.escalated to the next person', async () => {
    const clock = new ManualClock();
    const transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(
      workflow('review')
        .wait('intake', { signal: 'intake_{$execution.id}', timeout: '1m' })
        .human('approve', {
          dependsOn: ['intake'],
          assignee: 'sales_manager',
          title: 'Approve the discount',
          timeout: '2h',
          escalations: [{ after: '1h', to: 'director' }],
        })
        .build(),
    );
    const events = await lifecycleLog(transport);
    const id = await client.trigger('review', {});
    await until(
      'the intake wait',
      async () => (await client.getExecution(id))?.steps[0]?.status,
      (s) => s === 'waiting',
    );
    await clock.advance(60_000); // the intake wait times out: the human task begins
    const waiting = await until(
      'step.waiting',
      async () => events.filter((e) => e.type === 'step.waiting'),
      (w) => w.length === 1,
    );
    expect(waiting).toEqual([
      expect.objectContaining({
        step: 'approve',
        data: {
          kind: 'human',
          assignee: 'sales_manager',
          title: 'Approve the discount',
          key: `human_${id}_approve`,
          dueAt: clock.now() + 7_200_000,
        },
      }),
    ]);
    await clock.advance(3_600_000);
    const [escalated] = await until(
      'step.escalated',
      async () => events.filter((e) => e.type === 'step.escalated'),
      (e) => e.length === 1,
    );
    expect(escalated).toMatchObject({
      step: 'approve',
      data: { to: 'director', level: 1, key: `human_${id}_approve`, title: 'Approve the discount' },
    });
    // The plain wait before it announced nothing.
    expect(events.filter((e) => e.type === 'step.waiting' && e.step === 'intake')).toEqual([]);
    await transport.close();
  });
});
