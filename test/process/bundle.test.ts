/**
 * The deployable bundle (`pnpm build` → dist/orchestrator.mjs) is what the
 * benchmarks run: it must behave like the sources, on plain Node, including
 * a restart after SIGKILL.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { buildBundles } from '../../scripts/build.ts';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

beforeAll(async () => {
  await buildBundles();
});

describe('the bundled orchestrator', () => {
  it('runs workflows on plain Node and picks them up again after a SIGKILL', async () => {
    d = await deploy('bundle', ['alpha'], { bundledOrchestrator: true });
    await d.client.registerWorkflow(
      workflow('bundled')
        .task('first', { squad: 'alpha', action: 'noop' })
        .task('second', { squad: 'alpha', action: 'noop', dependsOn: ['first'], delay: '1500ms' })
        .build(),
    );
    const id = await d.client.trigger('bundled', { n: 1 });
    await d.client.waitFor(id, ['running'], 20_000);
    d.orchestrator.kill('SIGKILL');
    await d.orchestrator.exited;
    await d.startOrchestrator();
    const view = await d.client.waitFor(id, undefined, 30_000);
    expect(view.status).toBe('completed');
    expect(
      d
        .invocations()
        .filter((i) => i.executionId === id)
        .map((i) => i.step),
    ).toEqual(['first', 'second']);
  });
});
