import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (the bin runs it before any TypeScript loader), without declarations
import { bundleIsFresh } from '../bin/bundle-freshness.mjs';

const isFresh = bundleIsFresh as (root: string) => boolean;

describe('the bin picks the CLI bundle only while it is fresh', () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

  /** A workspace whose inputs were all written at `inputsAt` (s since the epoch), with or without a bundle. */
  function workspace(inputsAt: number, bundleAt?: number): string {
    const root = mkdtempSync(join(tmpdir(), 'sqf-bin-'));
    roots.push(root);
    const files = ['pnpm-lock.yaml', 'packages/cli/package.json', 'packages/cli/src/main.ts', 'packages/shared/src/deep/errors.ts'];
    for (const file of files) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), '');
      utimesSync(join(root, file), inputsAt, inputsAt);
    }
    if (bundleAt !== undefined) {
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'dist', 'squadflow.mjs'), '');
      utimesSync(join(root, 'dist', 'squadflow.mjs'), bundleAt, bundleAt);
    }
    return root;
  }

  it('runs the sources without a bundle', () => {
    expect(isFresh(workspace(1_000))).toBe(false);
  });

  it('runs the bundle when it is newer than every input', () => {
    expect(isFresh(workspace(1_000, 2_000))).toBe(true);
  });

  it('runs the sources once any source, manifest or the lockfile is newer than the bundle', () => {
    for (const file of ['packages/shared/src/deep/errors.ts', 'packages/cli/package.json', 'pnpm-lock.yaml']) {
      const root = workspace(1_000, 2_000);
      utimesSync(join(root, file), 3_000, 3_000);
      expect(isFresh(root), file).toBe(false);
    }
  });
});
