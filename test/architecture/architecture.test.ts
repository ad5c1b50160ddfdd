/** The package arrows of docs/architecture.md, enforced over every import and package.json in the tree. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkManifest, checkSource, checkTree, loadWorkspace, sourceFiles } from './check.ts';
import { RULES } from './rules.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('architecture', () => {
  it('every import and package.json dependency follows the allowed arrows', () => {
    expect(checkTree(ROOT)).toEqual([]);
  });

  it('covers every package source and the root consumers', () => {
    const files = sourceFiles(ROOT);
    for (const folder of Object.keys(RULES)) expect(files.some((f) => f.startsWith(`packages/${folder}/src/`))).toBe(true);
    expect(files).toContain('test/architecture/architecture.test.ts');
  });
});

describe('the checker', () => {
  const ws = loadWorkspace(ROOT);
  const check = (path: string, text: string) => checkSource(path, text, ws);

  it('reports a forbidden arrow, naming the file, the line and the import', () => {
    expect(check('packages/squads/src/x.ts', "import { z } from 'zod';\nimport { Orchestrator } from '@squadflow/engine';")).toEqual([
      "packages/squads/src/x.ts:2 imports '@squadflow/engine': squads may import shared, transport",
    ]);
    expect(check('packages/shared/src/x.ts', "export * from '@squadflow/transport';")).toEqual([
      "packages/shared/src/x.ts:1 imports '@squadflow/transport': shared may import nothing of ours",
    ]);
  });

  it('sees dynamic imports, type imports and re-exports', () => {
    const text = [
      "const m = await import('@squadflow/squads');",
      "import type { X } from '@squadflow/embedded';",
      "export { y } from '@squadflow/cli';",
    ].join('\n');
    expect(check('packages/gateway/test/support.ts', text)).toEqual([
      "packages/gateway/test/support.ts:1 imports '@squadflow/squads': gateway may import shared, transport, engine",
      "packages/gateway/test/support.ts:2 imports '@squadflow/embedded': gateway may import shared, transport, engine",
      "packages/gateway/test/support.ts:3 imports '@squadflow/cli': gateway may import shared, transport, engine",
    ]);
  });

  it('ignores imports in comments and strings', () => {
    expect(check('packages/squads/src/x.ts', "// import '@squadflow/engine';\nconst s = \"import '@squadflow/engine'\";")).toEqual([]);
  });

  it('keeps NATS out of the engine', () => {
    expect(check('packages/engine/test/x.test.ts', "import { connect } from '@nats-io/transport-node';")).toEqual([
      "packages/engine/test/x.test.ts:1 imports '@nats-io/transport-node': engine may not import @nats-io/*",
    ]);
  });

  it('reports relative imports that leave their package, from src or test', () => {
    expect(check('packages/gateway/test/support.ts', "import { h } from '../../../test/support/harness.ts';")).toEqual([
      "packages/gateway/test/support.ts:1 imports '../../../test/support/harness.ts': a relative import may not leave packages/gateway; reach other packages by name (@squadflow/<name>)",
    ]);
    expect(check('packages/cli/test/x.test.ts', "import { a } from '../../squads/src/catalog/index.ts';")).toHaveLength(1);
    expect(check('packages/embedded/src/x.ts', "import { a } from '../../squads/test/harness.ts';")).toHaveLength(1);
    expect(check('test/workflows/x.test.ts', "import { a } from '../../packages/engine/src/index.ts';")).toHaveLength(1);
    expect(check('packages/engine/test/x.test.ts', "import { a } from '../src/compile/index.ts';")).toEqual([]);
  });

  it('reports deep imports past a package’s declared exports', () => {
    expect(check('packages/embedded/src/x.ts', "import { a } from '@squadflow/engine/src/compile/index.ts';")).toEqual([
      "packages/embedded/src/x.ts:1 imports '@squadflow/engine/src/compile/index.ts': @squadflow/engine does not export './src/compile/index.ts' (its exports: .)",
    ]);
    expect(check('packages/gateway/test/x.ts', "import { a } from '@squadflow/transport/testing';")).toEqual([]);
  });

  it('lets embedded, cli and the root consumers import anything, by name', () => {
    const text = "import '@squadflow/engine';\nimport '@squadflow/squads';\nimport '@squadflow/gateway';";
    expect(check('packages/embedded/src/x.ts', text)).toEqual([]);
    expect(check('test/workflows/x.test.ts', text)).toEqual([]);
    expect(check('packages/cli/src/x.ts', "import '@squadflow/embedded';")).toEqual([]);
  });

  it('checks package.json dependencies against the same arrows', () => {
    const manifest = { name: '@squadflow/gateway', devDependencies: { '@squadflow/squads': 'workspace:*' } };
    expect(checkManifest('gateway', manifest, RULES)).toEqual([
      "packages/gateway/package.json devDependencies has '@squadflow/squads': gateway may import shared, transport, engine",
    ]);
    expect(checkManifest('engine', { name: '@squadflow/engine', dependencies: { '@nats-io/kv': '^3' } }, RULES)).toEqual([
      "packages/engine/package.json dependencies has '@nats-io/kv': engine may not import @nats-io/*",
    ]);
  });
});
