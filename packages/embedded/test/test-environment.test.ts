import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { workflow } from '@squadflow/shared';
import { defineSquad } from '@squadflow/squads';
import { TestEnvironment } from '../src/index.ts';

const notifier = defineSquad({
  name: 'notifier',
  actions: {
    send: { input: z.object({ text: z.string() }), output: z.object({ sent: z.string() }), handler: (input) => ({ sent: input.text }) },
  },
});

let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('time-skipping test environment', () => {
  it('runs a workflow with a 48 h delay in simulated time, and the step starts no earlier than 48 h later', async () => {
    env = await TestEnvironment.create({
      squads: [notifier],
      workflows: [
        workflow('followup')
          .task('now', { squad: 'notifier', action: 'send', input: '{ "text": "hi" }' })
          .task('later', { squad: 'notifier', action: 'send', input: '{ "text": "still there?" }', delay: '48h', dependsOn: ['now'] })
          .build(),
      ],
    });
    const started = env.now();
    const realStart = Date.now();
    const id = await env.client.trigger('followup', {});
    const view = await env.runUntil(id);
    expect(view.status).toBe('completed');
    const later = view.steps.find((s) => s.name === 'later')!;
    expect(later.attempts[0]!.startedAt - started).toBeGreaterThanOrEqual(48 * 3_600_000);
    expect(later.output).toEqual({ sent: 'still there?' });
    expect(Date.now() - realStart).toBeLessThan(10_000); // simulated, not waited: a generous bound that only fails if time really passed
  });

  it('takes the 2 h timeout branch of a wait only once 2 h have passed', async () => {
    env = await TestEnvironment.create({
      squads: [notifier],
      workflows: [
        workflow('quiet')
          .wait('reply', { signal: 'chat_{phone}', timeout: '2h' })
          .task('remind', {
            squad: 'notifier',
            action: 'send',
            input: '{ "text": "reminder" }',
            dependsOn: [{ step: 'reply', on: 'timeout' }],
          })
          .build(),
      ],
    });
    const id = await env.client.trigger('quiet', { phone: '+5511' });
    await env.advance('1h59m');
    expect((await env.client.getExecution(id))!.status).toBe('waiting');
    await env.advance('1m');
    const view = await env.runUntil(id);
    expect(view.steps.map((s) => [s.name, s.status])).toEqual([
      ['reply', 'completed'],
      ['remind', 'completed'],
    ]);
    expect(view.steps[0]!.outcome).toBe('timeout');
  });

  it('says so when an execution waits for a signal that nothing will send', async () => {
    env = await TestEnvironment.create({ workflows: [workflow('forever').wait('w', { signal: 'never' }).build()] });
    const id = await env.client.trigger('forever', {});
    await expect(env.runUntil(id)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
