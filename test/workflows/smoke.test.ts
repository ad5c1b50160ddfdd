import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { createHarness, type Harness } from '../support/harness.ts';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('memory', { evict: false });
  });
  afterAll(() => h.close());

  it('runs a two-step workflow to completion', async () => {
    await h.client.registerWorkflow(
      workflow('two').task('a', { squad: 'alpha', action: 'noop' }).task('b', { squad: 'beta', action: 'noop', dependsOn: ['a'] }).build(),
    );
    const id = await h.client.trigger('two', { x: 1 });
    const view = await h.client.waitFor(id, undefined, 5000);
    expect(view.status).toBe('completed');
    expect(view.steps.map((s) => s.status)).toEqual(['completed', 'completed']);
  });
});
