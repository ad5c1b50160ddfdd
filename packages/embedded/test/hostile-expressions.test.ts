import { afterEach, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { defineSquad } from '@squadflow/squads';
import { TestEnvironment } from '../src/index.ts';

/**
 * Issue 11: one hostile condition used to abort the orchestrator (or hold it
 * at 100% CPU) and every restart with it. Now it only fails its own
 * execution, and an execution started beside it completes.
 */

/** Counts the commands it runs, so a test can see which executions reached it. */
const counter = defineSquad({ name: 'counter', actions: { tick: { handler: (input: { n?: number }) => ({ seen: input.n ?? 0 }) } } });

let env: TestEnvironment | undefined;
afterEach(() => env?.close());

async function start(condition: string, input = '{ "n": 1 }'): Promise<TestEnvironment> {
  env = await TestEnvironment.create({
    squads: [counter],
    workflows: [workflow('guarded').task('notify', { squad: 'counter', action: 'tick', input, condition }).build()],
  });
  return env;
}

describe('a hostile condition at run time', () => {
  it('a $pad to 200 million characters fails its execution with the limit in the step error; the execution beside it completes', async () => {
    const env = await start('$length($pad("x", width)) > 0');
    const [hostile, normal] = await Promise.all([
      env.client.trigger('guarded', { width: 200_000_000 }),
      env.client.trigger('guarded', { width: 3 }),
    ]);
    const [failed, completed] = await Promise.all([env.runUntil(hostile), env.runUntil(normal)]);
    expect(failed.status).toBe('failed');
    const step = failed.steps.find((s) => s.name === 'notify')!;
    expect(step.status).toBe('failed');
    expect(step.attempts).toEqual([]); // never dispatched
    expect(step.error).toMatchObject({
      code: 'EXPRESSION',
      retryable: false,
      message: expect.stringContaining('the $pad result would be 200000000 characters long, over the limit of 1048576'),
    });
    expect(completed.status).toBe('completed');
    expect(completed.steps.find((s) => s.name === 'notify')!.output).toEqual({ seen: 1 });
  });

  it('the catastrophic regex over a customer’s "aaaa…a!" answers at once: that step is skipped, the other runs', async () => {
    const env = await start('$contains(text, /^(a+)+$/)');
    const [hostile, normal] = await Promise.all([
      env.client.trigger('guarded', { text: `${'a'.repeat(36)}!` }),
      env.client.trigger('guarded', { text: 'a'.repeat(36) }),
    ]);
    const [skipped, ran] = await Promise.all([env.runUntil(hostile), env.runUntil(normal)]);
    expect(skipped.status).toBe('completed');
    expect(skipped.steps.find((s) => s.name === 'notify')!.status).toBe('skipped');
    expect(ran.status).toBe('completed');
    expect(ran.steps.find((s) => s.name === 'notify')!.output).toEqual({ seen: 1 });
  });

  it('an input mapping that builds a range of 10 million items fails its execution; the execution beside it completes', async () => {
    const env = await start('true', '{ "n": $count([1..size]) }');
    const [hostile, normal] = await Promise.all([
      env.client.trigger('guarded', { size: 10_000_000 }),
      env.client.trigger('guarded', { size: 1 }),
    ]);
    const [failed, completed] = await Promise.all([env.runUntil(hostile), env.runUntil(normal)]);
    expect(failed.status).toBe('failed');
    expect(failed.steps[0]!.error?.message).toContain('the range [1..10000000] has 10000000 items, over the limit of 100000');
    expect(completed.status).toBe('completed');
    expect(completed.steps[0]!.output).toEqual({ seen: 1 });
  });
});
