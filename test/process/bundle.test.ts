/**
 * The deployable bundles (`pnpm build` → dist/*.mjs) are what the image and
 * the benchmarks run: they must behave like the sources, on plain Node,
 * including a restart after SIGKILL, and need nothing beside them but
 * dist/data/ (the image has no node_modules).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { spawnTsProcess, type ChildHandle } from '@squadflow/transport/testing';
import { buildBundles } from '../../scripts/build.ts';
import { deploy, type Deployment } from './support.ts';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

// Built out of the workspace's dist/: the CLI's bin runs dist/squadflow.mjs while it is fresh, and other
// test files running the CLI meanwhile must not load a bundle half rewritten.
const dist = mkdtempSync(join(tmpdir(), 'squadflow-dist-'));
const orchestratorBundle = join(dist, 'orchestrator.mjs');
beforeAll(async () => {
  await buildBundles({ outdir: dist });
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('the bundled orchestrator', () => {
  it('runs workflows on plain Node and picks them up again after a SIGKILL', async () => {
    d = await deploy('bundle', ['alpha'], { bundledOrchestrator: orchestratorBundle });
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

describe('the bundled command line', () => {
  it('runs a seed squad from a copy of dist/ with no node_modules in reach: pino, the catalog and its data files, on plain Node', async () => {
    // Outside the workspace: a bare import the bundle left out would fail here, as it would in the image.
    const dir = mkdtempSync(join(tmpdir(), 'squadflow-bundle-'));
    cpSync(dist, join(dir, 'dist'), { recursive: true });
    const cli = join(dir, 'dist', 'squadflow.mjs');
    let squad: ChildHandle | undefined;
    try {
      const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
      expect([help.status, help.stdout]).toEqual([0, expect.stringContaining('squad')]);
      // A command whose modules load on demand (dynamic imports, inside the bundle too).
      const apply = spawnSync(process.execPath, [cli, 'workflows', 'apply', '--dry-run', 'workflows/'], { encoding: 'utf8' });
      expect([apply.status, apply.stdout], apply.stderr).toEqual([0, expect.stringContaining('nothing registered')]);
      d = await deploy('bundlecli', [], { bundledOrchestrator: orchestratorBundle });
      const unknown = spawnSync(process.execPath, [cli, 'squad', 'nope'], { encoding: 'utf8', env: { ...process.env, ...d.env } });
      expect([unknown.status, unknown.stderr]).toEqual([3, expect.stringContaining('inventory')]);
      squad = await spawnTsProcess(cli, d.env, { label: 'bundled squad inventory', args: ['squad', 'inventory'] });
      await d.client.registerWorkflow(
        workflow('stock').task('check', { squad: 'inventory', action: 'check_stock', input: '{ "items": items }' }).build(),
      );
      const id = await d.client.trigger('stock', { items: [{ id: 'prod_1' }] });
      const view = await d.client.waitFor(id, undefined, 30_000);
      expect([view.status, view.steps[0]?.output]).toEqual(['completed', expect.objectContaining({ available: true })]);
    } finally {
      await squad?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
